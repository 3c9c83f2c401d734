/**
 * The AWS query protocol as STS speaks it: form-encoded parameters in, XML out, and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` with
 * the HTTP status of the error.
 */

export const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** An error the emulator answers with, in the query-protocol shape. */
export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** The parameters of a query-protocol request: the form body, and the URL query for GET. */
export function queryParameters(url: string | undefined, body: string): Map<string, string> {
  const parameters = new Map<string, string>();
  const query = (url ?? '/').split('?')[1];
  for (const source of [query ?? '', body]) {
    for (const [name, value] of new URLSearchParams(source)) parameters.set(name, value);
  }
  return parameters;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[char]};`);
}

/** A nested element tree: strings are text, objects are child elements in key order. */
export interface XmlTree {
  [element: string]: string | XmlTree;
}

export function xmlElements(tree: XmlTree): string {
  return Object.entries(tree)
    .map(([name, value]) => `<${name}>${typeof value === 'string' ? escapeXml(value) : xmlElements(value)}</${name}>`)
    .join('');
}

/** `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…</ResponseMetadata></{Action}Response>` */
export function resultXml(action: string, result: XmlTree, requestId: string, namespace: string): string {
  return (
    `<${action}Response xmlns="${namespace}">` +
    `<${action}Result>${xmlElements(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${action}Response>`
  );
}

export function errorXml(error: QueryApiError, requestId: string, namespace: string): string {
  return (
    `<ErrorResponse xmlns="${namespace}">` +
    xmlElements({ Error: { Type: error.type, Code: error.code, Message: error.message } }) +
    `<RequestId>${escapeXml(requestId)}</RequestId>` +
    `</ErrorResponse>`
  );
}

/** "1 validation error detected: …", the way AWS joins constraint breaches. */
export function validationError(problems: readonly string[]): QueryApiError {
  const noun = problems.length === 1 ? 'validation error' : 'validation errors';
  return new QueryApiError('ValidationError', `${problems.length} ${noun} detected: ${problems.join('; ')}`, 400);
}
