import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LiftedBase64, Lifter } from '../../../src/lib/api/lift';
import { StreamError } from '../../../src/lib/api/errors';
import { readJsonEvents } from '../../../src/lib/api/sse';

/** Runs text through a Lifter split at the given points; returns the emitted text and the lifter. */
async function lift(text: string, points: number[]) {
  const lifter = new Lifter();
  const pieces: string[] = [];
  let at = 0;
  for (const p of [...points, text.length]) {
    pieces.push(text.slice(at, p));
    at = p;
  }
  const out = await new Response(
    new ReadableStream<string>({
      start(c) {
        for (const p of pieces) c.enqueue(p);
        c.close();
      },
    })
      .pipeThrough(lifter.stream())
      .pipeThrough(new TextEncoderStream()),
  ).text();
  return { out, lifter };
}

const b64 = (n: number) => randomBytes(n).toString('base64');
const bytesOf = (v: unknown) => Buffer.concat((v as LiftedBase64).parts).toString('base64');

describe('Lifter', () => {
  const big = b64(600); // 800 chars: lifted
  const small = 'c2hvcnQ='; // stays in the text
  const text =
    `event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"id":"ig_1","result":"${big}","revised_prompt":"a \\"quoted\\" cat"},"b64_json":"${small}"}\n\n` +
    `data: {"type":"image_generation.partial_image", "partial_image_b64" : "${big.replace(/\//g, '\\/')}"}\n\n`;

  it('lifts long values and leaves the rest byte-for-byte, at every split point', async () => {
    for (let k = 0; k <= text.length; k += 7) {
      const { out, lifter } = await lift(text, [k]);
      const events = out
        .split('\n\n')
        .filter(Boolean)
        .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as Record<string, unknown>);
      events.forEach((e) => lifter.resolve(e));
      const item = events[0]!.item as Record<string, unknown>;
      expect(bytesOf(item.result), `split at ${k}`).toBe(big);
      expect(item.revised_prompt).toBe('a "quoted" cat');
      expect(events[0]!.b64_json).toBe(small);
      expect(bytesOf(events[1]!.partial_image_b64), `escaped, split at ${k}`).toBe(big);
    }
  });

  it('decodes exactly when split into single characters', async () => {
    const { out, lifter } = await lift(
      text,
      Array.from({ length: text.length }, (_, i) => i),
    );
    const first = JSON.parse(out.slice(out.indexOf('data: ') + 6, out.indexOf('\n\n'))) as Record<
      string,
      unknown
    >;
    lifter.resolve(first);
    expect(bytesOf((first.item as Record<string, unknown>).result)).toBe(big);
  });

  it('keeps a value of unusual length exact (padding)', async () => {
    for (const n of [300, 301, 302]) {
      const v = b64(n);
      const { out, lifter } = await lift(`data: {"b64_json":"${v}"}\n\n`, [50, 51, 200]);
      const e = JSON.parse(out.slice(6)) as Record<string, unknown>;
      lifter.resolve(e);
      expect(bytesOf(e.b64_json)).toBe(v);
      expect((e.b64_json as LiftedBase64).byteLength).toBe(n);
    }
  });

  it('holds back nothing but a fragment that may become a key', async () => {
    const lifter = new Lifter();
    const writer = new TransformStream<string, string>();
    const lifted = writer.readable.pipeThrough(lifter.stream());
    const reader = lifted.getReader();
    const w = writer.writable.getWriter();
    void w.write('data: {"type":"x","text":"hello"}\n\n');
    expect((await reader.read()).value).toBe('data: {"type":"x","text":"hello"}\n\n');
    void w.write('data: {"type":"y","b64_js');
    expect((await reader.read()).value).toBe('data: {"type":"y",');
    void w.write('on":"abc"}\n\n');
    expect((await reader.read()).value).toBe('"b64_json":"abc"}\n\n');
    void w.close();
  });
});

describe('readJsonEvents with lifting', () => {
  const stream = (text: string, cut = false) => {
    const bytes = new TextEncoder().encode(text);
    let sent = false;
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(bytes);
        } else if (cut) c.error(new TypeError('network error'));
        else c.close();
      },
    });
  };

  it('yields lifted bytes for image payloads', async () => {
    const v = b64(3000);
    const events = [];
    for await (const e of readJsonEvents(
      stream(`data: {"type":"image_generation.completed","b64_json":"${v}"}\n\n`),
    ))
      events.push(e);
    expect(events).toHaveLength(1);
    expect(bytesOf(events[0]!.b64_json)).toBe(v);
  });

  it('a connection cut inside a lifted value is a cut stream', async () => {
    const v = b64(3000);
    const run = async () => {
      for await (const _ of readJsonEvents(
        stream(`data: {"type":"image_generation.completed","b64_json":"${v.slice(0, 2000)}`, true),
      ));
    };
    await expect(run()).rejects.toBeInstanceOf(StreamError);
    await expect(run()).rejects.toMatchObject({ kind: 'cut' });
  });
});
