#!/usr/bin/env python3
"""An SMSC Cabinet did not write: the SMPP 3.4 server of the PyPI package `smpp34` (a Rust implementation of the
protocol), so that the SMPP client is not tested only against `Scripts/smsc.py`, which was written beside it.

smpp34 does the protocol: framing, bind and its response, enquire_link, unbind, sequence numbers, submit_sm's
fields. This script only decides (accept, or throttle the first N submits with ESME_RTHROTTLED), joins concatenated
parts from the user data header and writes every completed message as a JSON line, the same lines smsc.py writes
(`bind`, `throttled`, `message`, `unbind`), so the same tests and the cluster test read either.

    python Scripts/smsc_smpp34.py --out messages.jsonl [--port 0] [--throttle 2] [--lifetime 300]

Prints "listening PORT" on the first line of standard output. What smpp34's Python server cannot do is left to
smsc.py: refuse a bind by password (it accepts every bind), drop a connection after N submits.
"""
import argparse
import asyncio
import json
import socket
import sys

import smpp34


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# GSM 03.38's default alphabet, one septet per octet as SMPP carries it, and its extension table after 0x1B.
GSM = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
       "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
                0x65: "€"}


def gsm7(octets):
    text, escape = [], False
    for octet in octets:
        if escape:
            text.append(GSM_EXTENDED.get(octet, "?"))
            escape = False
        elif octet == 0x1B:
            escape = True
        else:
            text.append(GSM[octet] if octet < len(GSM) else "?")
    return "".join(text)


class Recorder:
    def __init__(self, path):
        self.out = open(path, "a", encoding="utf-8")
        self.pending = {}

    def record(self, entry):
        self.out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.out.flush()

    def submit(self, event):
        payload = bytes(event.short_message)
        reference = total = number = None
        if event.esm_class & 0x40:
            # User data header: concatenation, 8-bit (IEI 0x00) or 16-bit (IEI 0x08) reference.
            udh = payload[1: 1 + payload[0]]
            index = 0
            while index + 1 < len(udh):
                iei, length = udh[index], udh[index + 1]
                data = udh[index + 2: index + 2 + length]
                if iei == 0x00 and length == 3:
                    reference, total, number = data[0], data[1], data[2]
                elif iei == 0x08 and length == 4:
                    reference, total, number = (data[0] << 8) | data[1], data[2], data[3]
                index += 2 + length
            payload = payload[1 + payload[0]:]
        text = payload.decode("utf-16-be") if event.data_coding == 0x08 else gsm7(payload)
        base = {"to": event.destination_addr, "from": event.source_addr, "dest_ton": event.dest_addr_ton,
                "dest_npi": event.dest_addr_npi, "src_ton": event.source_addr_ton, "data_coding": event.data_coding,
                "session": event.session_id}
        if reference is None:
            self.record(dict(base, event="message", text=text, parts=1))
            return
        key = (event.session_id, event.destination_addr, reference)
        parts = self.pending.setdefault(key, {})
        parts[number] = text
        if len(parts) == total:
            del self.pending[key]
            self.record(dict(base, event="message", text="".join(parts[i] for i in range(1, total + 1)), parts=total))


async def serve(args):
    port = args.port or free_port()
    server = smpp34.Server(host="127.0.0.1", port=port, system_id="smpp34-smsc")
    await server.start()
    print(f"listening {port}", flush=True)
    recorder = Recorder(args.out)
    throttle_left = args.throttle
    message_id = 0
    while True:
        event = await server.next()
        if isinstance(event, smpp34.Esme):
            recorder.record({"event": "bind", "system_id": event.system_id, "session": event.session_id})
        elif isinstance(event, smpp34.SubmitSmEvent):
            if throttle_left > 0:
                throttle_left -= 1
                recorder.record({"event": "throttled"})
                event.reject(smpp34.ESME_RTHROTTLED)
                continue
            message_id += 1
            event.accept(message_id=f"msg{message_id}")
            try:
                recorder.submit(event)
            except Exception as error:  # noqa: BLE001 - a message it cannot read must not stop the SMSC
                recorder.record({"event": "unreadable", "error": str(error)})
        elif isinstance(event, smpp34.Unbound):
            recorder.record({"event": "unbind", "session": event.session_id})


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--throttle", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=300, help="seconds before exiting on its own")
    args = parser.parse_args()
    try:
        await asyncio.wait_for(serve(args), timeout=args.lifetime)
    except asyncio.TimeoutError:
        pass


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
