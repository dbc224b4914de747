"""Local training exactly as a Swift fedsim client runs it (Sources/FedCore/LocalTraining.swift,
MinibatchSchedule.swift, SGD.swift), so a Python client sends the same update on the same shard.

FedAvg: `local_epochs` passes; each epoch shuffles the sample order with the generator
derive(seed, "train", round, client) (one generator continued across epochs), then one SGD
step per batch of `batch_size` (the last one smaller). SGD as torch.optim.SGD: g += wd * p;
v = mu * v + g (v from zero each round); p -= lr * v. The reported loss is the
sample-weighted mean of the batch losses, each measured before its step.

FedSGD: the batch of step t = round - 1 of MinibatchSchedule on derive(seed, "fedsgd", client)
(epoch e = t // nb shuffled by derive(that, "epoch", e)); the update is -(g + wd * p).

Dropout masks (models with dropout layers only): FedAvg draws them from
derive(train generator, "dropout"), one stream continued over the round's batches; FedSGD
from derive(seed, "dropout", round, client).
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from .data import Shard
from .models import Network
from .rng import SeededRNG


def train_fedavg(model: Network, start: np.ndarray, shard: Shard, training: Dict[str, Any],
                 round: int, client: int) -> Tuple[np.ndarray, float]:
    """The local parameters after training and the mean training loss."""
    lr = np.float32(training['learning_rate'])
    mu = np.float32(training['momentum'])
    wd = np.float32(training['weight_decay'])
    epochs, batch = int(training['local_epochs']), int(training['batch_size'])
    p = np.array(start, dtype=np.float32)
    n = shard.count
    if n == 0 or epochs == 0:
        return p, 0.0
    rng = SeededRNG(int(training['seed'])).derive('train', round, client)
    dropout = rng.derive('dropout')
    order = list(range(n))
    velocity = np.zeros_like(p) if mu != 0 else None
    loss_sum, seen = 0.0, 0
    for _ in range(epochs):
        rng.shuffle(order)
        for first in range(0, n, batch):
            idx = order[first:first + batch]
            loss, g = model.loss_and_gradient(p, shard.features[idx], shard.labels[idx], dropout)
            loss_sum += loss * len(idx)
            seen += len(idx)
            if wd != 0:
                g = (g + wd * p).astype(np.float32)
            if velocity is not None:
                velocity = (mu * velocity + g).astype(np.float32)
                g = velocity
            p = (p - lr * g).astype(np.float32)
    return p, loss_sum / seen


def fedsgd_direction(model: Network, params: np.ndarray, shard: Shard, training: Dict[str, Any],
                     round: int, client: int) -> Tuple[np.ndarray, float]:
    """-g of the round's minibatch (with the coupled L2 term) and its loss."""
    n, batch = shard.count, int(training['batch_size'])
    if n == 0:
        return np.zeros_like(params), 0.0
    nb = (n + batch - 1) // batch
    t = round - 1
    epoch, k = divmod(t, nb)
    order = list(range(n))
    SeededRNG(int(training['seed'])).derive('fedsgd', client).derive('epoch', epoch).shuffle(order)
    idx = order[k * batch:min((k + 1) * batch, n)]
    dropout = SeededRNG(int(training['seed'])).derive('dropout', round, client)
    loss, g = model.loss_and_gradient(params, shard.features[idx], shard.labels[idx], dropout)
    wd = np.float32(training['weight_decay'])
    if wd != 0:
        g = (g + wd * params).astype(np.float32)
    return (-g).astype(np.float32), loss


def honest_update(model: Network, global_model: np.ndarray, shard: Shard, training: Dict[str, Any],
                  round: int, client: int) -> Tuple[np.ndarray, float]:
    """What an honest Swift client sends for this round: FedAvg's delta or FedSGD's -g."""
    if training['mode'] == 'fedsgd':
        return fedsgd_direction(model, global_model, shard, training, round, client)
    local, loss = train_fedavg(model, global_model, shard, training, round, client)
    return (local - global_model).astype(np.float32), loss
