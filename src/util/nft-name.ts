// Names read from the host (nft tables and chains) before they go into nft's argv. nft joins its
// arguments with spaces and parses the result as a command line where `;` separates commands, so a
// table named `x; flush ruleset` passed as one argument would run `flush ruleset`. Only what nft's
// own scanner reads as one plain identifier passes: a letter, `_` or `.` first, then letters, digits
// and `/ - _ .` (the `string` token of nftables' scanner.l), at most 256 bytes (NFT_NAME_MAXLEN).

const NAME = /^[A-Za-z_.][A-Za-z0-9/_.-]{0,255}$/;
export const NFT_FAMILIES = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'] as const;

export function isNftName(s: string): boolean {
  return NAME.test(s);
}

export function isNftFamily(s: string): boolean {
  return (NFT_FAMILIES as readonly string[]).includes(s);
}

/** Rule text re-added by `nft add rule` (an undo): one command, so no separator, comment or line break. */
export function isOneNftRule(s: string): boolean {
  return s.length > 0 && s.length <= 4096 && !/[;#\n\r\0]/.test(s);
}
