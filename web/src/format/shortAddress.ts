/** `0x1234…abcd`: enough to recognise an address where the full one would not fit; always shown with the full one in a title. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
