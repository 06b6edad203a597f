import { checkMessageName, checkServiceName, kebabCase, messageType, pascalCase, shortName } from './names';

describe('names', () => {
  it('derives the forms a message and a service go by', () => {
    expect(kebabCase('ParcelShipped')).toBe('parcel-shipped');
    expect(kebabCase('SendSMSReceipt')).toBe('send-sms-receipt');
    expect(pascalCase('returns-service')).toBe('ReturnsService');
    expect(shortName('order-service')).toBe('order');
    expect(shortName('storefront')).toBe('storefront');
    expect(messageType('order-service', 'ParcelShipped', 1)).toBe('order.parcel-shipped.v1');
  });

  it('refuses a command named like an event and an event named like a command', () => {
    expect(() => checkMessageName('ParcelShipped', 'command')).toThrow('"ParcelShipped" reads as an event');
    expect(() => checkMessageName('ShipParcel', 'event')).toThrow('"ShipParcel" reads as a command');
    expect(() => checkMessageName('parcel-shipped', 'event')).toThrow('must be PascalCase');
    expect(() => checkMessageName('ShipParcel', 'command')).not.toThrow();
  });

  it('refuses a service name that is not lower-case words joined by hyphens', () => {
    expect(() => checkServiceName('Returns')).toThrow('lower-case words joined by hyphens');
    expect(() => checkServiceName('returns--service')).toThrow();
    expect(() => checkServiceName('returns-service')).not.toThrow();
  });
});
