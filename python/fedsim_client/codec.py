"""The fedsim wire codec, protocol version 2 (docs/PROTOCOL.md sections 2-4 and 6).

Every message is a list of frames (bytes): a 32-byte header, then body frames of raw
little-endian u32 ids, Float32 tensors or UTF-8 text. `decode` validates what section 6
lists and raises `CodecError` with the same reason tokens as the Swift codec.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np

HEADER = struct.Struct('<4sHBBIIIIQ')
MAGIC = b'FSIM'
VERSION = 2
HELLO, WELCOME, TASK, UPDATE, HEARTBEAT, SHUTDOWN = range(1, 7)
KIND_NAMES = {HELLO: 'hello', WELCOME: 'welcome', TASK: 'task', UPDATE: 'update',
              HEARTBEAT: 'heartbeat', SHUTDOWN: 'shutdown'}
FRAMES = {HELLO: 2, WELCOME: 3, TASK: 3, UPDATE: 2, HEARTBEAT: 1, SHUTDOWN: 2}
STATE_FLAG = 1
MAX_REASON_BYTES = 1024


class CodecError(ValueError):
    """A message that breaks a rule of section 6; `reason` is the token fedsim counts."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f'{reason}: {detail}')
        self.reason = reason


@dataclass
class Message:
    kind: int
    round: int = 0
    client_id: int = 0
    samples: int = 0
    fingerprint: int = 0
    train_loss: float = 0.0
    ids: List[int] = field(default_factory=list)
    tensor: Optional[np.ndarray] = None        # TASK model, UPDATE delta
    states: List[np.ndarray] = field(default_factory=list)  # TASK worker states (flag 1)
    state: Optional[np.ndarray] = None         # UPDATE worker state (flag 1)
    text: str = ''                             # SHUTDOWN reason, WELCOME session document

    @property
    def parameter_count(self) -> int:
        return self.samples


def header(kind: int, round: int = 0, client: int = 0, samples: int = 0, count: int = 0, aux: int = 0,
           flags: int = 0, version: int = VERSION) -> bytes:
    return HEADER.pack(MAGIC, version, kind, flags, round, client, samples, count, aux)


def loss_bits(loss: float) -> int:
    return int(struct.unpack('<I', struct.pack('<f', loss))[0])


def hello(fingerprint: int, ids: Sequence[int]) -> List[bytes]:
    a = np.asarray(ids, dtype='<u4')
    return [header(HELLO, count=a.size, aux=fingerprint), a.tobytes()]


def update(round: int, client: int, samples: int, loss: float, delta: np.ndarray,
           state: Optional[np.ndarray] = None) -> List[bytes]:
    d = np.ascontiguousarray(delta, dtype='<f4')
    frames = [header(UPDATE, round=round, client=client, samples=samples, count=d.size, aux=loss_bits(loss),
                     flags=STATE_FLAG if state is not None else 0), d.tobytes()]
    if state is not None:
        frames.append(np.ascontiguousarray(state, dtype='<f4').tobytes())
    return frames


def heartbeat(round: int) -> List[bytes]:
    return [header(HEARTBEAT, round=round)]


def welcome(fingerprint: int, parameter_count: int, ids: Sequence[int], session: str) -> List[bytes]:
    a = np.asarray(ids, dtype='<u4')
    return [header(WELCOME, samples=parameter_count, count=a.size, aux=fingerprint), a.tobytes(),
            session.encode('utf-8')]


def task(round: int, ids: Sequence[int], model: np.ndarray) -> List[bytes]:
    a = np.asarray(ids, dtype='<u4')
    m = np.ascontiguousarray(model, dtype='<f4')
    return [header(TASK, round=round, count=m.size), a.tobytes(), m.tobytes()]


def shutdown(reason: str) -> List[bytes]:
    b = reason.encode('utf-8')[:MAX_REASON_BYTES]
    while True:
        try:
            b.decode('utf-8')
            break
        except UnicodeDecodeError:
            b = b[:-1]
    return [header(SHUTDOWN, count=len(b)), b]


def _ids(frame: bytes, count: int, max_ids: int) -> List[int]:
    if count > max_ids:
        raise CodecError('too_large', f'clientIds is {count}; limit is {max_ids}')
    if len(frame) != 4 * count:
        raise CodecError('body_size', f'id frame is {len(frame)} bytes; header count implies {4 * count}')
    if count == 0:
        raise CodecError('empty_client_ids', 'empty client-id list')
    ids = [int(v) for v in np.frombuffer(frame, dtype='<u4')]
    if len(set(ids)) != len(ids):
        raise CodecError('duplicate_client_id', 'a client id is listed twice')
    return ids


def _floats(frame: bytes, count: int, max_parameters: int) -> np.ndarray:
    if count > max_parameters:
        raise CodecError('too_large', f'parameters is {count}; limit is {max_parameters}')
    if len(frame) != 4 * count:
        raise CodecError('body_size', f'tensor frame is {len(frame)} bytes; header count implies {4 * count}')
    values = np.frombuffer(frame, dtype='<f4').copy()
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise CodecError('non_finite', f'non-finite value at index {int(bad[0])}')
    return values


def _zero(kind: int, **fields: int) -> None:
    for name, value in fields.items():
        if value:
            raise CodecError('reserved_field', f'{KIND_NAMES[kind]} header field {name} is {value}; expected 0')


def decode(frames: Sequence[bytes], max_parameters: int = 50_000_000, max_ids: int = 100_000,
           max_session_bytes: int = 64 << 20) -> Message:
    """Validates and decodes one multipart message (section 6's codec rules)."""
    if not frames:
        raise CodecError('no_frames', 'message has no frames')
    h = bytes(frames[0])
    if len(h) != HEADER.size:
        raise CodecError('header_size', f'header frame is {len(h)} bytes; expected 32')
    magic, version, kind, flags, rnd, client, samples, count, aux = HEADER.unpack(h)
    if magic != MAGIC:
        raise CodecError('bad_magic', f'bad magic {magic!r}')
    if version != VERSION:
        raise CodecError('bad_version', f'unsupported protocol version {version}; expected {VERSION}')
    if kind not in FRAMES:
        raise CodecError('unknown_kind', f'unknown message kind {kind}')
    with_state = flags == STATE_FLAG and kind in (TASK, UPDATE)
    if flags != 0 and not with_state:
        raise CodecError('bad_flags', f'flags byte is {flags}; expected 0')
    expected = FRAMES[kind] + (1 if with_state else 0)
    if (len(frames) < expected) if (with_state and kind == TASK) else (len(frames) != expected):
        raise CodecError('frame_count', f'{KIND_NAMES[kind]} message has {len(frames)} frames; expected {expected}')
    body = [bytes(f) for f in frames[1:]]
    if kind == HELLO:
        _zero(kind, round=rnd, clientId=client, samples=samples)
        return Message(kind, fingerprint=aux, ids=_ids(body[0], count, max_ids))
    if kind == WELCOME:
        _zero(kind, round=rnd, clientId=client)
        if samples > max_parameters:
            raise CodecError('too_large', f'parameterCount is {samples}; limit is {max_parameters}')
        ids = _ids(body[0], count, max_ids)
        if len(body[1]) > max_session_bytes:
            raise CodecError('too_large', f'sessionBytes is {len(body[1])}; limit is {max_session_bytes}')
        try:
            text = body[1].decode('utf-8')
        except UnicodeDecodeError:
            raise CodecError('bad_utf8', 'welcome session document is not valid UTF-8') from None
        return Message(kind, samples=samples, fingerprint=aux, ids=ids, text=text)
    if kind == TASK:
        _zero(kind, clientId=client, samples=samples, aux=aux)
        if len(body[0]) % 4:
            raise CodecError('misaligned_frame', f'task frame 1 is {len(body[0])} bytes; not a multiple of 4')
        ids = _ids(body[0], len(body[0]) // 4, max_ids)
        model = _floats(body[1], count, max_parameters)
        states: List[np.ndarray] = []
        if with_state:
            if len(frames) != FRAMES[TASK] + len(ids):
                raise CodecError('frame_count', f'task message has {len(frames)} frames; expected {FRAMES[TASK] + len(ids)}')
            states = [np.zeros(0, dtype='<f4') if not f else _floats(f, count, max_parameters) for f in body[2:]]
        return Message(kind, round=rnd, ids=ids, tensor=model, states=states)
    if kind == UPDATE:
        if aux >> 32:
            raise CodecError('reserved_field', f'update header field aux.high32 is {aux >> 32}; expected 0')
        loss = struct.unpack('<f', struct.pack('<I', aux))[0]
        if not np.isfinite(loss):
            raise CodecError('non_finite_loss', f'update train loss is not finite (bits 0x{aux:x})')
        delta = _floats(body[0], count, max_parameters)
        state = _floats(body[1], count, max_parameters) if with_state else None
        return Message(kind, round=rnd, client_id=client, samples=samples, train_loss=loss, tensor=delta, state=state)
    if kind == HEARTBEAT:
        _zero(kind, clientId=client, samples=samples, count=count, aux=aux)
        return Message(kind, round=rnd)
    _zero(kind, round=rnd, clientId=client, samples=samples, aux=aux)
    if count > MAX_REASON_BYTES:
        raise CodecError('too_large', f'reasonBytes is {count}; limit is {MAX_REASON_BYTES}')
    if len(body[0]) != count:
        raise CodecError('body_size', f'shutdown body frame is {len(body[0])} bytes; header count implies {count}')
    try:
        return Message(kind, text=body[0].decode('utf-8'))
    except UnicodeDecodeError:
        raise CodecError('bad_utf8', 'shutdown reason is not valid UTF-8') from None
