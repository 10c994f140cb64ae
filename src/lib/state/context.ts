/** Typed context pairs: components reach shared state through these, so tests can hand in a fake. */
import { getContext, setContext } from 'svelte';
import type { CostState } from './cost.svelte';
import type { NetworkState } from './network.svelte';
import type { SettingsState } from './settings.svelte';
import type { StudioState } from './studio.svelte';

function contextPair<T>(name: string) {
  const key = Symbol(name);
  return [
    (): T => {
      const value = getContext<T | undefined>(key);
      if (!value) throw new Error(`${name} context is missing: wrap the component in App or a test harness.`);
      return value;
    },
    (value: T): T => setContext(key, value),
  ] as const;
}

export const [getSettings, setSettings] = contextPair<SettingsState>('SettingsState');
export const [getStudio, setStudio] = contextPair<StudioState>('StudioState');
export const [getNetwork, setNetwork] = contextPair<NetworkState>('NetworkState');
export const [getCost, setCost] = contextPair<CostState>('CostState');
