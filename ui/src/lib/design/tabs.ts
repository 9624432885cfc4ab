/** DOM id of one tab, so a panel can point at it with aria-labelledby. */
export function tabDomId(prefix: string, id: string): string {
  return `${prefix}-tab-${id}`;
}
