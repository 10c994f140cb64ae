/** What conversation mode tells the user when a turn goes wrong: title, detail, next step. Pure. */
import { ApiError } from '../api/errors';
import type { TurnStream } from './events';

export interface TurnMessage {
  title: string;
  detail: string;
  next: string;
}

/** A response that ended as failed or incomplete, or an error event inside the stream. */
export function outcomeMessage(s: TurnStream): TurnMessage | null {
  if (s.status === 'failed') {
    const code = s.error?.code ?? null;
    const message = s.error?.message ?? 'The response failed.';
    if (code === 'image_content_policy_violation' || code === 'moderation_blocked')
      return {
        title: 'Rejected by the safety system',
        detail: message,
        next: 'Rephrase the message or change the image; sending it unchanged will be rejected again.',
      };
    return {
      title: 'The response failed',
      detail: code ? `${message} (${code})` : message,
      next: 'Retry this turn, or continue from an earlier one.',
    };
  }
  if (s.status === 'incomplete')
    return {
      title: 'The response stopped early',
      detail: `The server ended the response before it finished (reason: ${s.incompleteReason ?? 'unknown'}).`,
      next: 'Retry this turn; a shorter message or fewer images may help.',
    };
  return null;
}

/** Conversation-specific messages for errors the generic describer would word too vaguely; null otherwise. */
export function requestMessage(e: unknown, ctx: { mainline: string; toolModel: string }): TurnMessage | null {
  if (!(e instanceof ApiError)) return null;
  const param = e.param ?? '';
  if (
    e.code === 'unsupported_tool' ||
    e.code === 'model_not_supported' ||
    (param === 'model' && e.status === 400)
  )
    return {
      title: `${ctx.mainline} cannot use the image tool`,
      detail: e.message,
      next: 'Choose another mainline model, such as gpt-6.1-sol, and send again.',
    };
  if (/^tools\[\d+\]\.model$/.test(param))
    return {
      title: `${ctx.toolModel} cannot be used in the image tool`,
      detail: e.message,
      next: 'Choose another image model (gpt-image-2.5-flare, gpt-image-2.5-sunburst or gpt-image-2).',
    };
  if (/^tools\[\d+\]\.action$/.test(param))
    return {
      title: 'There is no image to edit',
      detail: e.message,
      next: 'Attach an image, continue from a turn with an image, or set the action to Auto or Generate.',
    };
  return null;
}

export function uploadMessage(detail: string): TurnMessage {
  return {
    title: 'The image could not be uploaded',
    detail,
    next: 'Turn off “Upload images once (Files API)” to send images inline, or try another image. Your message is kept in this turn; press Retry.',
  };
}

export const CUT_MESSAGE: TurnMessage = {
  title: 'The connection dropped mid-turn',
  detail: 'The stream ended before the answer was complete. The last partial image is kept.',
  next: 'Press Retry to send this turn again.',
};

export const RESUMABLE_MESSAGE: TurnMessage = {
  title: 'The connection dropped; the job is still running on the server',
  detail: 'This turn runs in background mode, so nothing is lost.',
  next: 'Press Resume to pick up where the stream stopped.',
};

export const RELOADED_MESSAGE: TurnMessage = {
  title: 'The page was reloaded before this turn finished',
  detail: 'Without background mode the server does not keep the answer for a reload.',
  next: 'Press Retry to send this turn again.',
};
