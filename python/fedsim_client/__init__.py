"""fedsim-client: join a fedsim federation from Python (wire protocol version 2)."""
from .client import Client, CoordinatorSilent, Curve, Refused, honest
from .codec import CodecError, VERSION
from .data import Shard, ShardError, shard_for
from .models import DenseNetwork, LayerNetwork, Network, network_for
from .session import Block, Session
from .training import honest_update, train_fedavg

__all__ = ['Client', 'CoordinatorSilent', 'Curve', 'Refused', 'honest', 'CodecError', 'VERSION', 'Shard',
           'ShardError', 'shard_for', 'DenseNetwork', 'LayerNetwork', 'Network', 'network_for', 'Block', 'Session', 'honest_update', 'train_fedavg']
