"""A fedsim client process in Python: one DEALER socket hosting one or more logical clients
(docs/PROTOCOL.md sections 1 and 5).

Liveness, as the protocol prescribes it: HELLO every `hello_retry` seconds (2) until WELCOME,
for at most `startup_timeout`; then a HEARTBEAT after each idle `heartbeat_interval` (1 s);
after 3 silent intervals HELLO again (a dropped connection came back: the coordinator
re-sends the open round's TASK); after `silence_timeout` of silence, stop. Sends never block
(a message that cannot be queued is dropped; the retries cover it), so a client with no live
peer cannot hang.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import zmq

from . import codec
from .data import Shard, shard_for
from .models import Network, network_for
from .momentum import accumulate, worker_momentum
from .session import Session
from .training import honest_update

#: (client id, round, global model, session, shard, model) -> (update, train loss)
UpdateFunction = Callable[[int, int, np.ndarray, Session, Shard, Network], Tuple[np.ndarray, float]]


class Refused(RuntimeError):
    """The coordinator answered with a `rejected:` SHUTDOWN."""


class CoordinatorSilent(RuntimeError):
    pass


@dataclass
class Curve:
    """CurveZMQ: the coordinator's public key and this client's key pair (Z85 text)."""
    server_public: str
    public: str
    secret: str

    @staticmethod
    def from_files(server_public_file: str, secret_file: str) -> 'Curve':
        """fedsim key files (`fedsim keygen`): one Z85 key per line, `#` comments allowed."""
        def lines(path: str) -> List[str]:
            with open(path, encoding='utf-8') as f:
                return [ln.strip() for ln in f if ln.strip() and not ln.strip().startswith('#')]
        server = lines(server_public_file)[0]
        secret = lines(secret_file)
        public = secret[1] if len(secret) > 1 else zmq.curve_public(secret[0].encode()).decode()
        return Curve(server, public, secret[0])


def honest(client: int, round: int, model: np.ndarray, session: Session, shard: Shard,
           network: Network) -> Tuple[np.ndarray, float]:
    return honest_update(network, model, shard, session.training, round, client)


class Client:
    def __init__(self, endpoint: str, ids: Sequence[int], update: UpdateFunction = honest, fingerprint: int = 0,
                 curve: Optional[Curve] = None, data_root: Optional[str] = None,
                 source: Optional[Tuple[np.ndarray, np.ndarray]] = None, startup_timeout: float = 60.0,
                 log: Callable[[str], None] = print,
                 make_update: Optional[Callable[[Session], UpdateFunction]] = None) -> None:
        """`update` computes each client's update; `make_update`, when given, builds it from the
        first session document instead (e.g. a PyTorch module shaped by the layout)."""
        self.endpoint = endpoint
        self.ids = sorted(int(i) for i in ids)
        self.update = update
        self.fingerprint = fingerprint
        self.curve = curve
        self.data_root = data_root
        self.source = source
        self.startup_timeout = startup_timeout
        self.log = log
        self.make_update = make_update
        self.session: Optional[Session] = None
        self.accepted: List[int] = []
        self.shards: Dict[int, Shard] = {}
        self.network: Optional[Network] = None
        self.round = 0
        self.rounds_trained = 0

    def _send(self, sock: zmq.Socket, frames: List[bytes]) -> None:
        try:
            sock.send_multipart(frames, flags=zmq.NOBLOCK)
        except zmq.Again:
            pass  # no connection to queue on; HELLO retries and heartbeats cover it

    def run(self) -> str:
        """Serves until SHUTDOWN; returns its reason. Raises Refused, CoordinatorSilent or TimeoutError."""
        ctx = zmq.Context()
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.ROUTING_ID, b'py-' + os.urandom(6).hex().encode())
        if self.curve:
            sock.curve_serverkey = self.curve.server_public.encode()
            sock.curve_publickey = self.curve.public.encode()
            sock.curve_secretkey = self.curve.secret.encode()
        sock.connect(self.endpoint)
        hello = codec.hello(self.fingerprint, self.ids)
        try:
            return self._serve(sock, hello)
        finally:
            sock.close(0)
            ctx.term()

    def _serve(self, sock: zmq.Socket, hello: List[bytes]) -> str:
        interval, retry, silence = 1.0, 2.0, 10.0
        start = now = time.monotonic()
        self._send(sock, hello)
        last_hello = last_sent = last_heard = now
        while True:
            if sock.poll(timeout=200):
                frames = sock.recv_multipart()
                last_heard = time.monotonic()
                try:
                    m = codec.decode(frames)
                except codec.CodecError as e:
                    self.log(f'dropped a malformed message from the coordinator: {e}')
                    continue
                if m.kind == codec.WELCOME:
                    self._welcome(m)
                    live = self.session.liveness if self.session else {}
                    interval = float(live.get('heartbeat_interval', interval))
                    retry = float(live.get('hello_retry', retry))
                    silence = float(live.get('silence_timeout', silence))
                elif m.kind == codec.TASK:
                    self.round = m.round
                    self._task(sock, m)
                    last_sent = time.monotonic()
                elif m.kind == codec.HEARTBEAT:
                    self.round = max(self.round, m.round)
                elif m.kind == codec.SHUTDOWN:
                    if m.text.startswith('rejected'):
                        raise Refused(m.text)
                    return m.text
                continue
            now = time.monotonic()
            if self.session is None:
                if now - start > self.startup_timeout:
                    raise TimeoutError(f'no WELCOME from {self.endpoint} within {self.startup_timeout:g} s')
                if now - last_hello >= retry:
                    self._send(sock, hello)
                    last_hello = now
                continue
            if now - last_heard > silence:
                raise CoordinatorSilent(f'the coordinator has been silent for {silence:g} s; stopping')
            if now - last_heard > 3 * interval and now - last_hello >= retry:
                self._send(sock, hello)  # the connection may have dropped and come back
                last_hello = now
            if now - last_sent >= interval:
                self._send(sock, codec.heartbeat(self.round))
                last_sent = now

    def _welcome(self, m: codec.Message) -> None:
        session = Session.parse(m.text)
        if session.parameter_count != m.parameter_count:
            raise ValueError(f'WELCOME says {m.parameter_count} parameters, its session document {session.parameter_count}')
        if self.session is None:
            refused = sorted(set(self.ids) - set(m.ids))
            self.log(f'registered clients {m.ids}' + (f'; refused {refused}' if refused else ''))
        self.session, self.accepted = session, list(m.ids)
        if self.network is None:
            self.network = network_for(session)
            if self.make_update is not None:
                self.update = self.make_update(session)
        for cid in m.ids:
            if cid not in self.shards:
                self.shards[cid] = shard_for(session, cid, source=self.source, data_root=self.data_root)

    def _task(self, sock: zmq.Socket, m: codec.Message) -> None:
        assert self.session is not None and self.network is not None and m.tensor is not None
        momentum = worker_momentum(self.session.raw['training'])
        if m.states and momentum is None:
            raise ValueError('a TASK with worker buffers (flag 1), but the session keeps none (momentum_buffer, momentum)')
        for k, cid in enumerate(m.ids):
            shard = self.shards.get(cid)
            if shard is None:
                self.log(f'round {m.round}: asked to train client {cid}, which this process does not host')
                continue
            update, loss = self.update(cid, m.round, m.tensor, self.session, shard, self.network)
            if momentum is not None:
                # An honest worker's update is its buffer: the update function's step folded in.
                update = accumulate(m.states[k] if m.states else None, update, *momentum)
            self._send(sock, codec.update(m.round, cid, shard.count, float(np.float32(loss)), update))
        self.rounds_trained += 1
