import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventTypeOf, LiftedBase64, Lifter } from '../../../src/lib/api/lift';
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

describe('Lifted values as they arrive', () => {
  const v = b64(3000); // 4000 chars
  const partialEvent = `event: image_generation.partial_image\ndata: {"type":"image_generation.partial_image","partial_image_index":0,"b64_json":"${v}"}\n\n`;
  const finalEvent = `event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"${v}","size":"1024x1024"}\n\n`;

  /** A text stream the test feeds by hand, through a Lifter that records each value with its event's text. */
  function feedable() {
    const seen: { value: LiftedBase64; head: string }[] = [];
    const lifter = new Lifter({ onValue: (value, head) => seen.push({ value, head }) });
    let ctl!: ReadableStreamDefaultController<string>;
    const out = new ReadableStream<string>({ start: (c) => void (ctl = c) }).pipeThrough(lifter.stream());
    const drained = new Response(out.pipeThrough(new TextEncoderStream())).text();
    drained.catch(() => {});
    return { seen, lifter, ctl, drained };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const readAll = async (stream: ReadableStream<Uint8Array>) =>
    Buffer.from(await new Response(stream).arrayBuffer()).toString('base64');

  it('streams a value’s bytes while it arrives, and names its event', async () => {
    const { seen, ctl, drained } = feedable();
    const cut = finalEvent.indexOf(v) + 2000;
    ctl.enqueue(partialEvent + finalEvent.slice(0, cut));
    await settle();
    expect(seen.map((s) => eventTypeOf(s.head))).toEqual([
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    // The final event's text so far, without the partial event before it.
    expect(seen[1]!.head).toBe(finalEvent.slice(0, finalEvent.indexOf(v)));
    const final = seen[1]!.value;
    expect(final.state).toBe('open');
    const reader = final.stream().getReader();
    const first = await reader.read();
    // Half the value is in: its bytes can be read before the rest exists.
    expect(first.value!.length).toBe(1500);
    ctl.enqueue(finalEvent.slice(cut));
    ctl.close();
    await drained;
    expect(final.state).toBe('done');
    const rest: Uint8Array[] = [first.value!];
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(r.value);
    expect(Buffer.concat(rest).toString('base64')).toBe(v);
    // A stream opened after the end replays every byte.
    expect(await readAll(final.stream())).toBe(v);
    expect(await readAll(seen[0]!.value.stream())).toBe(v);
  });

  it('a stream cut inside a value, or a reader that gives up, errors the value’s byte stream', async () => {
    const cut = feedable();
    cut.ctl.enqueue(finalEvent.slice(0, finalEvent.indexOf(v) + 1000));
    await settle();
    const bytes = cut.seen[0]!.value.stream();
    cut.ctl.close();
    await cut.drained;
    await expect(readAll(bytes)).rejects.toThrow(/ended inside the image data/);
    expect(cut.seen[0]!.value.state).toBe('failed');

    const dropped = feedable();
    dropped.ctl.enqueue(finalEvent.slice(0, finalEvent.indexOf(v) + 1000));
    await settle();
    const late = dropped.seen[0]!.value.stream();
    dropped.lifter.close(new Error('the reader left'));
    await expect(readAll(late)).rejects.toThrow('the reader left');
    // Opened after the failure: the same error at once.
    await expect(readAll(dropped.seen[0]!.value.stream())).rejects.toThrow('the reader left');
  });

  it('readJsonEvents fails a value still arriving when the caller stops reading', async () => {
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode(partialEvent));
        c.enqueue(enc.encode(finalEvent.slice(0, finalEvent.indexOf(v) + 1000)));
      },
    });
    const values: LiftedBase64[] = [];
    for await (const ev of readJsonEvents(body, { onLift: (value) => values.push(value) })) {
      expect(ev.type).toBe('image_generation.partial_image');
      await settle();
      break;
    }
    expect(values.map((x) => x.state)).toEqual(['done', 'failed']);
  });
});

describe('eventTypeOf', () => {
  it('reads the JSON type, else the event field, of the text before a value', () => {
    expect(eventTypeOf('event: a.b\ndata: {"type":"image_edit.completed","b64_json":"')).toBe(
      'image_edit.completed',
    );
    expect(eventTypeOf('event: image_generation.completed\r\ndata: {"b64_json":"')).toBe(
      'image_generation.completed',
    );
    expect(eventTypeOf('data: {"type" : "x.partial_image", "b64_json":"')).toBe('x.partial_image');
    expect(eventTypeOf('data: {"b64_json":"')).toBeUndefined();
    expect(eventTypeOf('')).toBeUndefined();
  });
});
