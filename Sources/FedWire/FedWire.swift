// FedWire: the ZeroMQ wrapper (context, socket, poll; CURVE later) and the fedsim message
// codec. It knows bytes and messages, not learning. See docs/PROTOCOL.md for the wire format.

#if _endian(big)
#error("FedWire copies Float32/UInt32 frames with bulk memory copies and assumes a little-endian host.")
#endif
