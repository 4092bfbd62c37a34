#!/usr/bin/env python3
"""Turn `upnpc -l` / `upnpc -L` output (stdin) into one mapping per line, sorted:

    PROTO EXTPORT INTERNAL_HOST INTERNAL_PORT DESCRIPTION

upnpc prints a mapping as: ` 0 TCP 11112->192.168.1.10:11112 'PACS DICOM' '' 604800`.
"""
import re
import sys

LINE = re.compile(r"^\s*\d+\s+(TCP|UDP)\s+(\d+)->([0-9.]+):(\d+)\s+'(.*)'\s+'[^']*'\s+\d+\s*$")


def main():
    rows = set()
    for line in sys.stdin:
        m = LINE.match(line)
        if m:
            proto, ext, host, port, desc = m.groups()
            rows.add((proto, int(ext), host, int(port), desc))
    for proto, ext, host, port, desc in sorted(rows):
        print(f"{proto} {ext} {host} {port} {desc}")


if __name__ == "__main__":
    main()
