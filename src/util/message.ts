// Renders a catalog message: `{{name}}` is replaced by data.name, `{{#flag}}…{{/flag}}` is kept only
// when data.flag is truthy and `{{^flag}}…{{/flag}}` only when it is not (mustache, without its HTML
// escaping: this text goes to terminals and JSON, not to a browser).
import Mustache from 'mustache';

export type MessageData = Readonly<Record<string, string | number | boolean | null>>;

const noEscape = { escape: (s: unknown): string => String(s) };

export function formatMessage(template: string, data: MessageData): string {
  return Mustache.render(template, data, {}, noEscape);
}

/** The `{{name}}` placeholders and `{{#flag}}`/`{{^flag}}` sections a template reads. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{[#^/]?\s*([\w.]+)\s*\}\}/g)].map((m) => m[1] ?? ''))];
}
