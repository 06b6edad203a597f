import { Logger } from '@nestjs/common';
import type { KnownUser, UsersRepository } from './users.repository';
import { UserSignedUpHandler } from './user-signed-up.handler';

const event = { userId: '0198f7a2-5a4e-7cc0-8e43-3f4d0c1b2a10', email: 'ada@example.com', name: 'Ada' };

function setUp(signupDelayMs: number) {
  const steps: string[] = [];
  const users = { save: async (user: KnownUser) => void steps.push(`saved ${user.id}`) } as unknown as UsersRepository;
  jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    steps.push(`warned ${(message as { msg: string }).msg}`);
  });
  return { steps, handler: new UserSignedUpHandler(users, { signupDelayMs }) };
}

afterEach(() => jest.restoreAllMocks());

describe('UserSignedUpHandler', () => {
  it('stores the new user at once in a real shop', async () => {
    const { steps, handler } = setUp(0);
    await handler.userSignedUp(event);
    expect(steps).toEqual([`saved ${event.userId}`]);
  });

  it('with the workshop delay, says it holds the message, naming the setting, before it stores the user', async () => {
    const { steps, handler } = setUp(1);
    await handler.userSignedUp(event);
    expect(steps).toEqual([
      'warned holding UserSignedUp for 1 ms before storing the user (ORDER_SERVICE_SIGNUP_DELAY_MS)',
      `saved ${event.userId}`,
    ]);
  });
});
