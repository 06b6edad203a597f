/** `ParcelShipped` → `parcel-shipped`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** `returns-service` → `ReturnsService`. */
export function pascalCase(name: string): string {
  return name
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `returns-service` → `returnsService`. */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal[0]!.toLowerCase() + pascal.slice(1);
}

/** The short name a service goes by in message types, scopes and database names: `order-service` → `order`. */
export function shortName(service: string): string {
  return service.replace(/-service$/, '');
}

/** A message's type: the owner's short name, the message in kebab case, and its version, `order.parcel-shipped.v1`. */
export function messageType(owner: string, name: string, version: number): string {
  return `${shortName(owner)}.${kebabCase(name)}.v${version}`;
}

/**
 * Commands are imperative and events are in the past tense; the shop catalogue's spec holds every message to the
 * same rule, so a name that breaks it is refused here, before any file is written.
 */
export function checkMessageName(name: string, kind: 'command' | 'event'): void {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    throw new Error(`The message name "${name}" must be PascalCase, e.g. ShipParcel or ParcelShipped.`);
  }
  if (kind === 'command' && /ed$/.test(name)) {
    throw new Error(`"${name}" reads as an event; a command is imperative, e.g. ShipParcel.`);
  }
  if (kind === 'event' && !/(ed|Up|Failed|Sent)$/.test(name)) {
    throw new Error(`"${name}" reads as a command; an event is in the past tense, e.g. ParcelShipped.`);
  }
}

/** A service's name: lower case words joined by hyphens, the same in the manifest, the folder and the queue. */
export function checkServiceName(name: string): void {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`The service name "${name}" must be lower-case words joined by hyphens, e.g. returns-service.`);
  }
}
