import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameDecoder } from './frame-decoder.js';

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

test('frames split at every byte still come out whole, each on its own stream', () => {
  const bytes = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, ''), frame(1, 'out two\n')]);
  const decoder = new FrameDecoder();
  const seen: string[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    for (const chunk of decoder.push(bytes.subarray(i, i + 1))) seen.push(`${chunk.stream}:${chunk.data.toString()}`);
  }
  assert.deepEqual(seen, ['stdout:out one\n', 'stderr:err\n', 'stdout:out two\n']);
  assert.equal(decoder.buffered, 0);
});

test('a frame cut short is held back, not emitted half', () => {
  const whole = frame(2, 'abcdef');
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(whole.subarray(0, 11)), []);
  assert.equal(decoder.buffered, 11);
  const [chunk] = decoder.push(whole.subarray(11));
  assert.equal(chunk?.data.toString(), 'abcdef');
  assert.equal(chunk?.stream, 'stderr');
});

test('a chunk keeps its bytes after later input reuses the buffer', () => {
  const decoder = new FrameDecoder();
  const input = frame(1, 'keep');
  const [chunk] = decoder.push(input);
  input.fill(0);
  assert.equal(chunk?.data.toString(), 'keep');
});
