/** Puts `value` on the clipboard as pretty JSON. */
export function copyJson(value: unknown): Promise<void> {
  return copyText(JSON.stringify(value, null, 2));
}

/**
 * Puts `text` on the clipboard. The async clipboard API needs a secure
 * context (localhost is one; a hub reached over a LAN address is not), so
 * a selected textarea and `copy` stand in for it.
 */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}
