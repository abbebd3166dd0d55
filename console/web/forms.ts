// A small form for one console action: labelled text fields, a button, and the outcome (the
// API's answer, or its refusal with the error code) shown under it.

import { ApiError } from './api.js';
import { h } from './dom.js';

export type Field = readonly [name: string, label: string, value?: string];

export function actionForm(
  action: string,
  fields: readonly Field[],
  submit: (values: Record<string, string>) => Promise<unknown>,
): HTMLElement {
  const outcome = h('div', { 'data-outcome': action });
  const inputs = fields.map(([name, label, value]) => {
    const input = h('input', { name, value: value ?? '' }) as HTMLInputElement;
    return { name, input, label: h('label', {}, label, input) };
  });
  const form = h(
    'form',
    {
      'data-action': action,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const values = Object.fromEntries(inputs.map((i) => [i.name, i.input.value.trim()]));
        outcome.textContent = '…';
        outcome.className = '';
        submit(values).then(
          (result) => {
            outcome.textContent = `done: ${JSON.stringify(result)}`;
            outcome.dataset['state'] = 'done';
          },
          (error: unknown) => {
            const code = error instanceof ApiError ? `${error.code} ` : '';
            outcome.textContent = `refused: ${code}${error instanceof Error ? error.message : String(error)}`;
            outcome.className = 'error';
            outcome.dataset['state'] = 'refused';
          },
        );
      },
    },
    ...inputs.map((i) => i.label),
    h('button', { type: 'submit' }, action),
  );
  return h('div', {}, form, outcome);
}
