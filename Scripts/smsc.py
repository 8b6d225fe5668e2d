#!/usr/bin/env python3
"""A small SMSC for Cabinet's tests: speaks SMPP 3.4 to one or more transmitters on 127.0.0.1.

It accepts bind_transmitter (checking system_id and password), submit_sm in the default alphabet or UCS-2 with
concatenation headers, enquire_link and unbind, and writes every completed message (parts joined) as a JSON line.
Faults on request: throttle the first N submits (ESME_RTHROTTLED), drop the connection after N submits.

    python3 Scripts/smsc.py --port 0 --out messages.jsonl [--throttle 2] [--drop-after 3]

Prints "listening PORT" on the first line of standard output.
"""
import argparse
import asyncio
import json
import struct
import sys

BIND_TRANSMITTER, BIND_TRANSMITTER_RESP = 0x00000002, 0x80000002
SUBMIT_SM, SUBMIT_SM_RESP = 0x00000004, 0x80000004
UNBIND, UNBIND_RESP = 0x00000006, 0x80000006
ENQUIRE_LINK, ENQUIRE_LINK_RESP = 0x00000015, 0x80000015
GENERIC_NACK = 0x80000000
ESME_ROK, ESME_RINVBNDSTS, ESME_RINVPASWD, ESME_RTHROTTLED = 0x00, 0x04, 0x0E, 0x58


def c_string(body, offset):
    end = body.index(b"\x00", offset)
    return body[offset:end].decode("latin-1"), end + 1


class SMSC:
    def __init__(self, args):
        self.args = args
        self.throttle_left = args.throttle
        self.submits = 0
        self.message_id = 0
        self.pending_parts = {}
        self.out = open(args.out, "a", encoding="utf-8")
        self.binds = 0

    def record(self, entry):
        self.out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.out.flush()

    async def handle(self, reader, writer):
        bound = False
        try:
            while True:
                header = await reader.readexactly(16)
                length, command, status, sequence = struct.unpack(">IIII", header)
                body = await reader.readexactly(length - 16) if length > 16 else b""

                def respond(cmd, st=ESME_ROK, payload=b""):
                    writer.write(struct.pack(">IIII", 16 + len(payload), cmd, st, sequence) + payload)

                if command == BIND_TRANSMITTER:
                    system_id, offset = c_string(body, 0)
                    password, offset = c_string(body, offset)
                    ok = system_id == self.args.system_id and password == self.args.password
                    bound = ok
                    if ok:
                        self.binds += 1
                        self.record({"event": "bind", "system_id": system_id, "interface_version": body[offset + 1]})
                    respond(BIND_TRANSMITTER_RESP, ESME_ROK if ok else ESME_RINVPASWD, b"cabinet-test-smsc\x00")
                elif command == SUBMIT_SM:
                    if not bound:
                        respond(SUBMIT_SM_RESP, ESME_RINVBNDSTS, b"\x00")
                    elif self.throttle_left > 0:
                        self.throttle_left -= 1
                        self.record({"event": "throttled"})
                        respond(SUBMIT_SM_RESP, ESME_RTHROTTLED, b"\x00")
                    else:
                        self.submits += 1
                        self.message_id += 1
                        self.submit(body)
                        respond(SUBMIT_SM_RESP, ESME_ROK, f"msg{self.message_id}".encode() + b"\x00")
                        if self.args.drop_after and self.submits == self.args.drop_after:
                            await writer.drain()
                            self.record({"event": "dropped"})
                            writer.close()
                            return
                elif command == ENQUIRE_LINK:
                    self.record({"event": "enquire_link"})
                    respond(ENQUIRE_LINK_RESP)
                elif command == UNBIND:
                    respond(UNBIND_RESP)
                    await writer.drain()
                    self.record({"event": "unbind"})
                    writer.close()
                    return
                elif command & 0x80000000:
                    pass
                else:
                    respond(GENERIC_NACK, 0x03)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass

    def submit(self, body):
        offset = 0
        _service_type, offset = c_string(body, offset)
        src_ton, src_npi = body[offset], body[offset + 1]
        source, offset = c_string(body, offset + 2)
        dst_ton, dst_npi = body[offset], body[offset + 1]
        destination, offset = c_string(body, offset + 2)
        esm_class = body[offset]
        offset += 3  # esm_class, protocol_id, priority_flag
        _schedule, offset = c_string(body, offset)
        _validity, offset = c_string(body, offset)
        offset += 2  # registered_delivery, replace_if_present_flag
        data_coding = body[offset]
        offset += 2  # data_coding, sm_default_msg_id
        sm_length = body[offset]
        payload = body[offset + 1: offset + 1 + sm_length]
        reference = total = number = None
        if esm_class & 0x40:
            udh_length = payload[0]
            udh = payload[1: 1 + udh_length]
            if udh[0] == 0x00 and udh[1] == 0x03:
                reference, total, number = udh[2], udh[3], udh[4]
            payload = payload[1 + udh_length:]
        text = payload.decode("utf-16-be") if data_coding == 0x08 else payload.decode("ascii")
        base = {"to": destination, "from": source, "dest_ton": dst_ton, "dest_npi": dst_npi, "src_ton": src_ton,
                "data_coding": data_coding}
        if reference is None:
            self.record(dict(base, event="message", text=text, parts=1))
            return
        key = (destination, reference)
        parts = self.pending_parts.setdefault(key, {})
        parts[number] = text
        if len(parts) == total:
            del self.pending_parts[key]
            self.record(dict(base, event="message", text="".join(parts[i] for i in range(1, total + 1)), parts=total))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--system-id", default="cabinet")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--throttle", type=int, default=0)
    parser.add_argument("--drop-after", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=300, help="seconds before exiting on its own")
    args = parser.parse_args()
    smsc = SMSC(args)
    server = await asyncio.start_server(smsc.handle, "127.0.0.1", args.port)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), timeout=args.lifetime)
        except asyncio.TimeoutError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
