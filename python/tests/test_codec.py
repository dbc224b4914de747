"""The Python codec against docs/PROTOCOL.md: every `vector:` block encodes to its bytes and
decodes back; the section 6 codec rules raise the documented tokens."""
import os
import re
import unittest

import numpy as np

from fedsim_client import codec

DOC = os.path.join(os.path.dirname(__file__), '..', '..', 'docs', 'PROTOCOL.md')


def vectors():
    text = open(DOC, encoding='utf-8').read()
    for block in re.findall(r'```hex\n(.*?)\n```', text, re.S):
        lines = block.split('\n')
        assert lines[0].startswith('vector: '), lines[0]
        frames = []
        for line in lines[1:]:
            line = line.strip()
            if line.startswith('frame '):
                frames.append(bytearray())
                line = line.split(':', 1)[1]
            frames[-1] += bytes(int(b, 16) for b in line.split())
        yield lines[0][8:], [bytes(f) for f in frames]


def fields(spec):
    kind, _, rest = spec.partition(' ')
    out = {}
    while rest:
        key, _, rest = rest.partition('=')
        if key in ('reason', 'session'):
            out[key] = rest
            break
        value, _, rest = rest.partition(' ')
        out[key] = value
    return kind, out


def num(v):
    return int(v, 16) if v.startswith('0x') else int(v)


class CodecDocumentTests(unittest.TestCase):
    def test_every_vector(self):
        seen = set()
        for spec, frames in vectors():
            kind, f = fields(spec)
            seen.add(kind)
            ids = [int(i) for i in f.get('ids', '').split(',') if i]
            floats = lambda k: np.array([float(x) for x in f[k].split(',')], dtype=np.float32)
            if kind == 'hello':
                built = codec.hello(num(f['fingerprint']), ids)
            elif kind == 'welcome':
                built = codec.welcome(num(f['fingerprint']), num(f['parameters']), ids, f['session'])
            elif kind == 'task':
                built = codec.task(num(f['round']), ids, floats('model'))
            elif kind == 'update':
                built = codec.update(num(f['round']), num(f['client']), num(f['samples']), float(f['loss']), floats('delta'))
            elif kind == 'heartbeat':
                built = codec.heartbeat(num(f['round']))
            elif kind == 'shutdown':
                built = codec.shutdown(f['reason'])
            else:
                self.assertEqual(kind, 'legacy_refusal')
                with self.assertRaises(codec.CodecError) as e:
                    codec.decode(frames)
                self.assertEqual(e.exception.reason, 'bad_version')
                continue
            self.assertEqual(built, frames, spec)
            m = codec.decode(frames)
            self.assertEqual(m.kind, {'hello': 1, 'welcome': 2, 'task': 3, 'update': 4, 'heartbeat': 5, 'shutdown': 6}[kind])
            if kind == 'update':
                self.assertEqual((m.round, m.client_id, m.samples, m.train_loss), (num(f['round']), num(f['client']),
                                                                                   num(f['samples']), float(f['loss'])))
                np.testing.assert_array_equal(m.tensor, floats('delta'))
            if kind == 'welcome':
                self.assertEqual((m.parameter_count, m.ids, m.text), (num(f['parameters']), ids, f['session']))
        self.assertEqual(seen, {'hello', 'welcome', 'task', 'update', 'heartbeat', 'shutdown', 'legacy_refusal'})

    def test_rejections_carry_the_documented_tokens(self):
        update = codec.update(1, 0, 5, 0.5, np.array([1, 2], dtype=np.float32))
        def patched(frames, at, value):
            h = bytearray(frames[0])
            h[at:at + len(value)] = value
            return [bytes(h)] + frames[1:]
        cases = [
            ([], 'no_frames'),
            ([update[0][:31], update[1]], 'header_size'),
            (patched(update, 0, b'X'), 'bad_magic'),
            (patched(update, 4, b'\x01\x00'), 'bad_version'),
            (patched(update, 6, b'\x09'), 'unknown_kind'),
            (patched(update, 7, b'\x02'), 'bad_flags'),
            (update[:1], 'frame_count'),
            ([update[0], update[1][:4]], 'body_size'),
            (codec.update(1, 0, 5, float('nan'), np.zeros(2, dtype=np.float32)), 'non_finite_loss'),
            (codec.update(1, 0, 5, 0.0, np.array([np.inf, 0], dtype=np.float32)), 'non_finite'),
            (patched(codec.heartbeat(1), 12, b'\x01'), 'reserved_field'),
            ([codec.header(codec.HELLO, count=2), np.array([1, 1], dtype='<u4').tobytes()], 'duplicate_client_id'),
            ([codec.header(codec.HELLO, count=0), b''], 'empty_client_ids'),
            ([codec.header(codec.SHUTDOWN, count=2), b'\xc3\x28'], 'bad_utf8'),
            ([codec.header(codec.TASK, round=1, count=1), b'\x01\x00\x00', b'\x00\x00\x00\x00'], 'misaligned_frame'),
        ]
        for frames, token in cases:
            with self.assertRaises(codec.CodecError, msg=token) as e:
                codec.decode(frames)
            self.assertEqual(e.exception.reason, token)
        with self.assertRaises(codec.CodecError) as e:
            codec.decode(update, max_parameters=1)
        self.assertEqual(e.exception.reason, 'too_large')


if __name__ == '__main__':
    unittest.main()
