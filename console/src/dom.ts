/** The console's only "framework": create elements with attributes, listeners and children. */
export type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | EventListener>;

function apply(element: Element, props: Props): void {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
  }
}

function append(element: Element, children: ReadonlyArray<Child | readonly Child[]>): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Array<Child | readonly Child[]>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, props: Props = {}, ...children: Array<Child | readonly Child[]>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** A labelled control: every input of the console goes through here, so none lacks a label. */
export function field(id: string, label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  control.id = id;
  if (!control.name) control.name = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { id: hintId }, hint) : null);
}

export function select(values: readonly string[], current: string | undefined, emptyLabel: string | undefined): HTMLSelectElement {
  const options = [...(emptyLabel === undefined ? [] : [h('option', { value: '' }, emptyLabel)]), ...values.map((value) => h('option', { value, selected: value === current }, value))];
  return h('select', {}, options);
}

export function input(value: string | undefined, props: Props = {}): HTMLInputElement {
  const element = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...props });
  element.value = value ?? '';
  return element;
}

export function replace(container: Element, ...children: Array<Child | readonly Child[]>): void {
  container.replaceChildren();
  append(container, children);
}
