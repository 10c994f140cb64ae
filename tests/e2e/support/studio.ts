/** A small page object for the studio: the accessible names of the controls, and the run cards. */
import { expect, type Locator, type Page } from '@playwright/test';

export class StudioPage {
  readonly prompt: Locator;
  readonly generateButton: Locator;
  readonly cancelButton: Locator;
  readonly model: Locator;
  readonly size: Locator;
  readonly customSize: Locator;
  readonly quality: Locator;
  readonly format: Locator;
  readonly background: Locator;
  readonly moderation: Locator;
  readonly complexity: Locator;
  readonly compression: Locator;
  readonly images: Locator;
  readonly partialImages: Locator;
  readonly stream: Locator;
  readonly advanced: Locator;
  readonly extraJson: Locator;

  constructor(
    readonly page: Page,
    /** Unique to the test: every prompt made with `promptText` contains it. */
    readonly tag: string,
  ) {
    this.prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
    this.generateButton = page.getByRole('button', { name: 'Generate', exact: true });
    this.cancelButton = page.getByRole('button', { name: 'Cancel', exact: true });
    this.model = page.getByRole('combobox', { name: 'Model', exact: true });
    this.size = page.getByRole('combobox', { name: 'Size', exact: true });
    this.customSize = page.getByRole('textbox', { name: 'Custom size', exact: true });
    this.quality = page.getByRole('combobox', { name: 'Quality', exact: true });
    this.format = page.getByRole('combobox', { name: 'Format', exact: true });
    this.background = page.getByRole('combobox', { name: 'Background', exact: true });
    this.moderation = page.getByRole('combobox', { name: 'Moderation', exact: true });
    this.complexity = page.getByRole('combobox', { name: 'Complexity', exact: true });
    this.compression = page.getByLabel('Compression');
    this.images = page.getByRole('spinbutton', { name: 'Images', exact: true });
    this.partialImages = page.getByRole('spinbutton', { name: 'Partial images', exact: true });
    this.stream = page.getByRole('checkbox', { name: 'Stream previews', exact: true });
    this.advanced = page.locator('details', { has: page.locator('summary', { hasText: 'Advanced' }) });
    this.extraJson = page.getByRole('textbox', { name: 'Extra request fields (JSON)', exact: true });
  }

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.prompt).toBeVisible();
  }

  /** A prompt unique to this test, optionally selecting mock scenarios with `[[mock:NAME]]`. */
  promptText(words: string, ...scenarios: string[]): string {
    return [words, this.tag, ...scenarios.map((s) => `[[mock:${s}]]`)].join(' ');
  }

  /** Types a model id into the free-entry Model field and commits it (the field commits on blur). */
  async chooseModel(id: string): Promise<void> {
    await this.model.fill(id);
    await this.model.blur();
    await expect(this.model).toHaveValue(id);
  }

  async openAdvanced(): Promise<void> {
    if ((await this.advanced.getAttribute('open')) === null) await this.advanced.locator('summary').click();
    await expect(this.extraJson).toBeVisible();
  }

  /** Fills the prompt and presses Generate. */
  async generate(prompt: string): Promise<void> {
    await this.prompt.fill(prompt);
    await this.generateButton.click();
  }

  /** The result card of the run started with `prompt` (runs are labelled with their prompt's start). */
  run(prompt: string): Locator {
    return this.page.getByRole('article', { name: `Run: ${prompt.slice(0, 60)}` });
  }

  /** The status badge of a run ("Working", "Done", "Failed", "Incomplete", "Cancelled"). */
  status(prompt: string, text: string): Locator {
    return this.run(prompt).locator('header .badge', { hasText: text });
  }

  /** Final images of a run: their alt text starts with the prompt. */
  finalImages(prompt: string): Locator {
    return this.run(prompt).getByRole('img', { name: prompt.slice(0, 200) });
  }

  /**
   * Starts logging, in the page, the alt text of every image as it first appears (or changes), in order. The
   * log is kept by a MutationObserver, so it is exact even when the test itself is slow to look.
   */
  async recordImageAlts(): Promise<() => Promise<string[]>> {
    await this.page.evaluate(() => {
      const w = window as unknown as { __altLog?: string[] };
      const log: string[] = (w.__altLog = []);
      const scan = () => {
        for (const img of document.querySelectorAll('img[alt]')) {
          const alt = img.getAttribute('alt') ?? '';
          if (!log.includes(alt)) log.push(alt);
        }
      };
      new MutationObserver(scan).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['alt', 'src'],
      });
    });
    return () =>
      this.page.evaluate(() => [...((window as unknown as { __altLog?: string[] }).__altLog ?? [])]);
  }

  /** The partial preview with the given 1-based number. */
  partial(prompt: string, n: number): Locator {
    return this.run(prompt).getByRole('img', { name: `Partial image ${n}`, exact: true });
  }
}

/** The decoded pixel size ("WxH") of an <img>, once loaded: proves the Blob URL holds a real image. */
export async function naturalSize(img: Locator): Promise<string> {
  await expect
    .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0))
    .toBe(true);
  return img.evaluate((el: HTMLImageElement) => `${el.naturalWidth}x${el.naturalHeight}`);
}
