// Text made safe for HTML, in element content and in quoted attributes: what a node prints or a lab
// file says reaches a page (the nightly report, the workshop pages) only through this.
export const escapeHtml = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
