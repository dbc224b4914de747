"""python -m fedsim_client --connect ENDPOINT --ids 2,3 [--data-root DIR] [--fingerprint 0x...]
[--server-key FILE --secret-key FILE]: host honest numpy clients in this process."""
from __future__ import annotations

import argparse
import sys

from .client import Client, CoordinatorSilent, Curve, Refused


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(prog='fedsim-client', description=__doc__)
    ap.add_argument('--connect', required=True, help='the coordinator endpoint, e.g. tcp://host:5555')
    ap.add_argument('--ids', required=True, help='logical client ids, e.g. 2,3')
    ap.add_argument('--data-root', help='folder that relative dataset paths of the session document are under; for digits, the folder holding digits.csv.gz (fedsim\'s data/)')
    ap.add_argument('--fingerprint', default='0', help='scenario fingerprint (fedsim check prints it); 0: adopt the coordinator\'s')
    ap.add_argument('--server-key', help='CURVE: the coordinator\'s public key file')
    ap.add_argument('--secret-key', help='CURVE: this client\'s secret key file')
    ap.add_argument('--startup-timeout', type=float, default=60.0)
    a = ap.parse_args(argv)
    curve = Curve.from_files(a.server_key, a.secret_key) if a.server_key and a.secret_key else None
    client = Client(a.connect, [int(i) for i in a.ids.split(',')], fingerprint=int(a.fingerprint, 0), curve=curve,
                    data_root=a.data_root, startup_timeout=a.startup_timeout,
                    log=lambda s: print(s, flush=True))
    try:
        reason = client.run()
    except (Refused, CoordinatorSilent, TimeoutError) as e:
        print(f'fedsim-client: {e}', file=sys.stderr, flush=True)
        return 1
    print(f'shutdown: {reason}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
