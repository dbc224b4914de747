"""Worker momentum against hand-computed buffers, and when it applies."""
import unittest

import numpy as np

from fedsim_client.momentum import accumulate, worker_momentum


class MomentumTests(unittest.TestCase):
    def test_buffers_by_hand(self):
        beta = np.float32(0.5)
        step = np.array([1.0, -2.0, 0.25], dtype=np.float32)
        first = accumulate(None, step, beta, False)
        np.testing.assert_array_equal(first, step)                      # m = 0.5 * 0 + s
        second = accumulate(first, np.array([2.0, 2.0, 2.0], dtype=np.float32), beta, False)
        np.testing.assert_array_equal(second, [2.5, 1.0, 2.125])        # 0.5 m + s
        damped = accumulate(np.array([4.0, 0.0, -4.0], dtype=np.float32), step, beta, True)
        np.testing.assert_array_equal(damped, [2.5, -1.0, -1.875])      # 0.5 m + 0.5 s
        np.testing.assert_array_equal(accumulate(np.zeros(0, dtype=np.float32), step, beta, True), 0.5 * step)
        self.assertEqual(first.dtype, np.float32)
        with self.assertRaises(ValueError):
            accumulate(np.zeros(2, dtype=np.float32), step, beta, False)

    def test_applies_only_to_worker_buffers_with_positive_momentum(self):
        self.assertEqual(worker_momentum({'momentum': 0.9, 'momentum_buffer': 'worker', 'momentum_dampening': True}),
                         (np.float32(0.9), True))
        self.assertIsNone(worker_momentum({'momentum': 0.9, 'momentum_buffer': 'local'}))
        self.assertIsNone(worker_momentum({'momentum': 0.0, 'momentum_buffer': 'worker'}))


if __name__ == '__main__':
    unittest.main()
