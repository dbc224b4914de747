"""The PyTorch adapter (runs where torch is importable; skipped, saying so, elsewhere): the
flat layout round-trips through a module's state_dict by block name, the module computes the
numpy model's logits, and one torch.optim.SGD step equals fedsim's step."""
import unittest

import numpy as np

from fedsim_client import DenseNetwork
from .test_models import session

try:
    import torch
    import torch.nn as nn
    from fedsim_client.torch_adapter import load_flat, to_flat
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


@unittest.skipIf(torch is None, 'torch is not importable in this Python: the PyTorch adapter test is skipped')
class TorchAdapterTests(unittest.TestCase):
    def module(self):
        return nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))

    def test_round_trip_and_logits(self):
        s = session([4, 5, 3])
        m = self.module()
        flat = np.random.default_rng(1).normal(0, 0.5, s.parameter_count).astype(np.float32)
        load_flat(m, flat, s)
        np.testing.assert_array_equal(to_flat(m, s), flat)
        # nn.Linear.weight is [out, in]: fedsim's dense0.weight [in, out] transposed.
        np.testing.assert_array_equal(m[0].weight.detach().numpy(), s.blocks[0].view(flat).T)
        x = np.random.default_rng(2).normal(0, 1, (7, 4)).astype(np.float32)
        np.testing.assert_allclose(m(torch.from_numpy(x)).detach().numpy(), DenseNetwork.from_session(s).logits(flat, x),
                                   atol=1e-6)

    def test_sgd_step_equals_fedsim_step(self):
        s = session([4, 5, 3])
        m = self.module()
        flat = np.random.default_rng(3).normal(0, 0.5, s.parameter_count).astype(np.float32)
        load_flat(m, flat, s)
        x = np.random.default_rng(4).normal(0, 1, (8, 4)).astype(np.float32)
        y = np.array([0, 1, 2, 0, 1, 2, 0, 1], dtype=np.int32)
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
        loss = nn.functional.cross_entropy(m(torch.from_numpy(x)), torch.from_numpy(y).long())
        opt.zero_grad()
        loss.backward()
        opt.step()
        ours_loss, g = DenseNetwork.from_session(s).loss_and_gradient(flat, x, y)
        step = flat - np.float32(0.1) * (g + np.float32(0.01) * flat)   # first step: v = g + wd * p
        self.assertAlmostEqual(float(loss.detach()), ours_loss, places=5)
        np.testing.assert_allclose(to_flat(m, s), step, atol=1e-6)


if __name__ == '__main__':
    unittest.main()
