/** A query string the API reads as it was meant: URLSearchParams sends a space as `+` and a plus as `%2B`, the form decoding the API applies. */
export function queryString(parameters: ReadonlyArray<readonly [string, string]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of parameters) search.append(name, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
