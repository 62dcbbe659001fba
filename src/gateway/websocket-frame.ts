/**
 * A text message as a server sends it in one WebSocket frame (RFC 6455, section 5.2): final, unmasked,
 * header and payload in one buffer, ready to be written to the socket as it is.
 *
 * The hub's updates go out this way rather than through ws's `send`, which converts the text, builds a
 * header and writes the two for every client: built once per update and shared, a frame costs each client
 * one write (docs/performance.md has the figures). Everything else a socket says, ws says.
 */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const length = payload.length
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + length)
  frame[0] = 0x81 // FIN, and the opcode of a text frame
  if (length < 126) frame[1] = length
  else if (length < 0x10000) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  payload.copy(frame, headerLength)
  return frame
}
