"""A malicious Python client: trains honestly, then sends the update scaled by -factor
(the sign-flipping attack of Damaskinos et al., 2018; fedsim's `sign_flip`).

    python examples/sign_flip.py tcp://127.0.0.1:5555 3 [factor]
"""
import sys

import numpy as np

from fedsim_client import Client, honest


def main() -> int:
    endpoint, ids = sys.argv[1], [int(i) for i in sys.argv[2].split(',')]
    factor = np.float32(sys.argv[3] if len(sys.argv) > 3 else 1.0)

    def flipped(cid, rnd, model, session, shard, network):
        delta, loss = honest(cid, rnd, model, session, shard, network)
        return (-factor * delta).astype(np.float32), loss

    print('shutdown:', Client(endpoint, ids, update=flipped, log=lambda s: print(s, flush=True)).run(), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
