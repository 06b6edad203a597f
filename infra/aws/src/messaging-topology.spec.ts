import { synthShop } from './synth';

describe('messaging topology', () => {
  it('synthesizes', () => {
    const { template } = synthShop();
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).length).toBeGreaterThan(10);
  });
});
