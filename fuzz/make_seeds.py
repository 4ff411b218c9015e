#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (scripts/fuzz.sh): one folder per target under SEEDS, from generated
virtual card folders (CARDS/<card>/EF.COM, DG1 ...), a specimen folder (Datagroup1.bin ...) and the
master list folder. Seeds are real files, so the fuzzer starts from inputs that parse all the way.

usage: make_seeds.py CARDS SPECIMEN PKI SEEDS
"""
import base64
import json
import pathlib
import struct
import sys

SPECIMEN_NAMES = {
    "EF_COM.bin": "EF.COM",
    "EF_SOD.bin": "EF.SOD",
    **{f"Datagroup{n}.bin": f"DG{n}" for n in range(1, 17)},
}


def files_by_name(cards: pathlib.Path, specimen: pathlib.Path):
    """(name, source label, bytes) of every EF file."""
    for card in sorted(p for p in cards.iterdir() if p.is_dir()):
        for f in sorted(card.iterdir()):
            if f.is_file() and (f.name.startswith("DG") or f.name.startswith("EF.")):
                yield f.name, card.name, f.read_bytes()
    if specimen.is_dir():
        for f in sorted(specimen.iterdir()):
            if f.name in SPECIMEN_NAMES:
                yield SPECIMEN_NAMES[f.name], "specimen", f.read_bytes()


def tlv_value_offset(data: bytes, at: int):
    """Offset of the value of the TLV whose length starts at `at`, and that length."""
    first = data[at]
    if first < 0x80:
        return at + 1, first
    count = first & 0x7F
    return at + 1 + count, int.from_bytes(data[at + 1 : at + 1 + count], "big")


def tlv_split(data: bytes):
    """The (raw encoding, tag byte, value) of each DER TLV of `data` in turn (one-byte tags)."""
    at = 0
    out = []
    while at < len(data):
        start, length = tlv_value_offset(data, at + 1)
        out.append((data[at : start + length], data[at], data[start : start + length]))
        at = start + length
    return out


def indefinite(tag: int, value: bytes) -> bytes:
    return bytes([tag, 0x80]) + value + b"\x00\x00"


def ber_forms_of_sod(sod: bytes):
    """The EF.SOD as BER streaming writes it (what real issuers store): ContentInfo, SignedData,
    encapContentInfo and their [0]s with indefinite lengths, the eContent a constructed OCTET STRING of
    32-byte segments; the certificates and SignerInfos stay DER. Returns (77 indefinite, bare ContentInfo)."""
    (_, tag, content_info), = tlv_split(sod)[:1]
    if tag != 0x77:
        return []
    (_, _, ci), = tlv_split(content_info)[:1]
    ci_oid, ci_explicit = tlv_split(ci)[:2]
    (_, _, signed_data), = tlv_split(ci_explicit[2])[:1]
    sd_parts = tlv_split(signed_data)
    encap_oid, encap_explicit = tlv_split(sd_parts[2][2])[:2]
    (_, _, econtent), = tlv_split(encap_explicit[2])[:1]
    segments = b"".join(bytes([0x04, len(econtent[i : i + 32])]) + econtent[i : i + 32] for i in range(0, len(econtent), 32))
    encap = indefinite(0x30, encap_oid[0] + indefinite(0xA0, indefinite(0x24, segments)))
    sd = indefinite(0x30, sd_parts[0][0] + sd_parts[1][0] + encap + b"".join(p[0] for p in sd_parts[3:]))
    bare = indefinite(0x30, ci_oid[0] + indefinite(0xA0, sd))
    return [("ber-77", indefinite(0x77, bare)), ("ber-bare", bare)]


def mrz_text(dg1: bytes):
    # 61 L 5F1F L <MRZ>
    at, _ = tlv_value_offset(dg1, 1)
    if dg1[at : at + 2] != b"\x5f\x1f":
        return None
    start, length = tlv_value_offset(dg1, at + 2)
    return dg1[start : start + length]


def face_image(dg2: bytes):
    for marker, kind in ((b"\x00\x00\x00\x0cjP  ", 2), (b"\xff\x4f\xff\x51", 2), (b"\xff\xd8\xff", 1)):
        at = dg2.find(marker)
        if at >= 0:
            return kind, dg2[at:]
    return None


def main() -> None:
    cards, specimen, pki, seeds = (pathlib.Path(a) for a in sys.argv[1:5])
    out = {}

    def add(target: str, name: str, data: bytes) -> None:
        folder = seeds / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        out[target] = out.get(target, 0) + 1

    for name, source, data in files_by_name(cards, specimen):
        label = f"{source}-{name}"
        add("tlv", label, data)
        if name in ("EF.CardAccess", "DG14"):
            add("security_infos", label, data)
        elif name == "DG1":
            add("mrz", label, data)
            text = mrz_text(data)
            if text:
                add("mrz", label + "-text", text)
        elif name == "DG2":
            add("dg2", label, data)
            add("face_image", label, b"\x00" + data)
            image = face_image(data)
            if image:
                add("face_image", f"{label}-image", bytes([image[0]]) + image[1])
        elif name == "DG13":
            add("dg13", label, data)
        elif name == "DG15":
            add("dg15", label, data)
        elif name == "EF.SOD":
            add("sod", label, data)
            # BER indefinite lengths, constructed eContent and a bare ContentInfo (issue 15).
            for form, ber in ber_forms_of_sod(data):
                add("sod", f"{label}-{form}", ber)
                add("tlv", f"{label}-{form}", ber)

    # The evidence loader (evidence_fuzzer): byte 0 even = an evidence document, odd = a folder's files
    # in memory ([name index][2-byte length][bytes], index 19 = read.json).
    names = ["EF.CardAccess", "EF.COM", "EF.SOD"] + [f"DG{n}" for n in range(1, 17)]
    record = {"access_protocol": "PACE-GM", "denied": ["DG3"], "absent": [],
              "chip_authentication": {"protocol": "CA v2 ECDH-256 AES-128 GA", "result": "passed", "note": ""},
              "active_authentication": {"challenge": "0123456789ABCDEF", "signature": "00" * 64},
              "stats": {"apdus": 22, "bytes_sent": 593, "bytes_received": 16091, "seconds": 0.05}}
    for card in sorted(p for p in cards.iterdir() if p.is_dir()):
        files = {f.name: f.read_bytes() for f in sorted(card.iterdir()) if f.name in names}
        document = {"format": "cccd-evidence", "version": 1,
                    "files": {n: base64.b64encode(b).decode() for n, b in files.items()}, "read": record}
        add("evidence", f"{card.name}-document", b"\x00" + json.dumps(document).encode())
        packed = b"".join(bytes([names.index(n)]) + struct.pack(">H", min(len(b), 65535)) + b[:65535]
                          for n, b in files.items())
        read = json.dumps(record).encode()
        add("evidence", f"{card.name}-folder", b"\x01" + packed + bytes([19]) + struct.pack(">H", len(read)) + read)
        add("evidence", f"{card.name}-document-verified", b"\x02" + json.dumps(document).encode())
        # cccd-server's request body (json_members_fuzzer): the evidence as an object and as a string.
        body = {"challenge_id": "0123456789abcdef0123456789abcdef", "evidence": document, "include_face": True}
        add("json_members", f"{card.name}-request", json.dumps(body).encode())
        body["evidence"] = json.dumps(document)
        add("json_members", f"{card.name}-request-string", json.dumps(body, indent=1).encode())

    add("json_members", "escapes", '{"a\\"b": "}\\\\", "c": [1, {"d": "\\u007d"}], "e": null, "a\\"b": -1.5e3}'.encode())

    for f in sorted(pki.glob("*.ml")):
        add("master_list", f.name, f.read_bytes())

    # Secure messaging (sm_response_fuzzer): byte 0 = cipher | mode << 1, then SW1 SW2, then the payload.
    for cipher in (0, 1):
        add("sm_response", f"raw-{cipher}", bytes([cipher, 0x90, 0x00]) + bytes.fromhex("990290008e080102030405060708"))
        add("sm_response", f"objects-{cipher}", bytes([cipher | 2, 0x90, 0x00]) + bytes.fromhex("99029000"))
        block = 8 if cipher == 0 else 16
        plain = b"\x61\x05\x5f\x1f\x02AB" + b"\x80"
        plain += b"\x00" * (-len(plain) % block)
        add("sm_response", f"plain-{cipher}", bytes([cipher | 4, 0x90, 0x00]) + plain)
        add("sm_response", f"command-{cipher}", bytes([cipher | 6, 0x90, 0x00]) + bytes.fromhex("0cb000000d97010c8e08010203040506070800"))

    # Virtual card (virtual_card_fuzzer): byte 0 = session (bit 0: BAC first, bit 1: SELECT first), then
    # length-prefixed APDUs.
    def apdus(*hex_apdus: str) -> bytes:
        out_bytes = b""
        for h in hex_apdus:
            a = bytes.fromhex(h)
            out_bytes += bytes([len(a)]) + a
        return out_bytes

    select_com = "00a4020c02011e"
    read_4 = "00b0000004"
    add("virtual_card", "plain-select", bytes([0]) + apdus("00a4040c07a0000002471001", select_com, read_4))
    add("virtual_card", "plain-challenge", bytes([2]) + apdus("0084000008", "00820000280102"))
    add("virtual_card", "plain-pace", bytes([0]) + apdus("0022c1a40f800a04007f00070202040202830102", "10860000027c0000"))
    add("virtual_card", "bac-read", bytes([1]) + apdus(select_com, read_4, "00b0000400", "00a4020c020101", "00b0000020"))
    add("virtual_card", "bac-aa", bytes([1]) + apdus("00a4020c02010f", "00b0000000", "008800000801020304050607080000"))
    add("virtual_card", "bac-ca", bytes([1]) + apdus("0022410a", "0022c1a40c800a04007f0007020203020284", "00860000057c03800100"))
    add("virtual_card", "bac-sfi", bytes([1]) + apdus("00b0810000", "00b0820010", "00b1008e0000"))

    for target, count in sorted(out.items()):
        print(f"seeds: {target} {count}")


if __name__ == "__main__":
    main()
