import { databaseOwners } from '@stitch/manifest';
import { serviceDatabaseName } from '@stitch/persistence';
import { dataOwners } from './service-databases';

describe('the service databases', () => {
  it("are the manifest's, and each is the one the service's persistence opens", () => {
    expect(Object.entries(dataOwners)).toEqual(databaseOwners().map(({ service, database }) => [service, database]));
    for (const { service, database } of databaseOwners())
      expect(`${service}: ${serviceDatabaseName(service)}`).toBe(`${service}: ${database}`);
  });
});
