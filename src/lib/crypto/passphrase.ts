/** Advice on a new passphrase, shown as it is typed. Pure. */

export const MIN_PASSPHRASE_LENGTH = 8;

export interface PassphraseCheck {
  ok: boolean;
  level: 'empty' | 'short' | 'fair' | 'good';
  message: string;
}

/**
 * At least 8 characters; 16 or more (or four words) counts as good. Deliberately simple: the passphrase guards
 * a key on this one device, and its real strength comes from length, which the hint encourages.
 */
export function checkPassphrase(passphrase: string): PassphraseCheck {
  const p = passphrase.normalize('NFC');
  const length = [...p].length;
  if (length === 0)
    return { ok: false, level: 'empty', message: 'Choose a passphrase of 8 or more characters.' };
  if (length < MIN_PASSPHRASE_LENGTH) {
    const more = MIN_PASSPHRASE_LENGTH - length;
    return {
      ok: false,
      level: 'short',
      message: `Too short: ${more} more character${more === 1 ? '' : 's'} at least.`,
    };
  }
  const words = p.trim().split(/\s+/).length;
  if (length >= 16 || words >= 4)
    return { ok: true, level: 'good', message: 'Good: long passphrases are hard to guess.' };
  return {
    ok: true,
    level: 'fair',
    message: 'Acceptable. Longer is stronger: four random words are easy to remember and hard to guess.',
  };
}

/** The passphrase and its repetition, as the Settings dialog asks for them. */
export function checkNewPassphrase(passphrase: string, repeat: string): PassphraseCheck {
  const check = checkPassphrase(passphrase);
  if (!check.ok) return check;
  if (repeat === '')
    return { ok: false, level: check.level, message: 'Type the passphrase again under “Repeat passphrase”.' };
  if (repeat !== passphrase)
    return { ok: false, level: check.level, message: 'The two passphrases are not the same.' };
  return check;
}
