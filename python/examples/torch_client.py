"""A PyTorch client: fedsim's model as an `nn.Sequential` (replace `sequential_for` with your
own module, and pass a block-name mapping to `torch_update` if its layers are named otherwise),
trained with torch.optim.SGD on the session's settings and fedsim's batch order.

    python examples/torch_client.py tcp://127.0.0.1:5555 3
"""
import sys

from fedsim_client import Client
from fedsim_client.torch_adapter import sequential_for, torch_update


def main() -> int:
    client = Client(sys.argv[1], [int(i) for i in sys.argv[2].split(',')], log=lambda s: print(s, flush=True),
                    make_update=lambda session: torch_update(sequential_for(session)))
    print('shutdown:', client.run(), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
