import { ofType, programSettled, recordResources, runProgram, type Registered } from './pulumi-mocks';

describe('the shop marker', () => {
  let registered: Registered[];

  beforeAll(async () => {
    registered = await recordResources();
    await programSettled(runProgram({ prefix: 'shop1', location: 'westeurope', shopId: 'spring-sale', stitchPrefix: 'blue' }));
  });

  it("is written by the shop's topology tool, for the configured shop, in the program's namespace", () => {
    const mark = ofType(registered, 'command:local:Command').find((each) => each.name === 'shop-mark');
    expect(mark?.inputs['create']).toMatch(/mark-shop\.sh"$/);
    expect(mark?.inputs['environment']).toEqual({
      SERVICEBUS_NAMESPACE: 'shop1-stitch.servicebus.windows.net',
      STITCH_SHOP_ID: 'spring-sale',
      STITCH_PREFIX: 'blue',
    });
  });
});
