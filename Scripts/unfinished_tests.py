#!/usr/bin/env python3
"""Names the Swift Testing tests a log shows started and never finished: what a hung or crashed `swift test` was
running. Usage: unfinished_tests.py <swift test log>"""
import collections
import re
import sys

open_tests = collections.Counter()
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        if m := re.match(r"^◇ Test (\S+) started", line):
            open_tests[m.group(1)] += 1
        elif m := re.match(r"^\S+ Test (\S+) (with \d+ test cases? )?(passed|failed|skipped)", line):
            open_tests[m.group(1)] -= 1
running = sorted(name for name, count in open_tests.items() if count > 0 and name != "run")
print(f"{len(running)} test(s) started and not finished:")
for name in running:
    print(f"  {name}")
