import { SocketSlots } from './socket-slots';

describe('SocketSlots', () => {
  it('gives each session up to the cap, counted apart from every other session', () => {
    const slots = new SocketSlots(2);
    expect(slots.tryTake('a')).toBeInstanceOf(Function);
    expect(slots.tryTake('a')).toBeInstanceOf(Function);
    expect(slots.tryTake('a')).toBeUndefined();
    expect(slots.tryTake('b')).toBeInstanceOf(Function);
    expect([slots.count('a'), slots.count('b'), slots.count('c')]).toEqual([2, 1, 0]);
  });

  it('counts a slot from the moment it is taken, so back-to-back takes cannot overshoot the cap', () => {
    const slots = new SocketSlots(3);
    const taken = Array.from({ length: 8 }, () => slots.tryTake('a'));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });

  it('frees one slot per release, however often the same release is called', () => {
    const slots = new SocketSlots(2);
    const first = slots.tryTake('a')!;
    slots.tryTake('a');
    first();
    first();
    expect(slots.count('a')).toBe(1);
    expect(slots.tryTake('a')).toBeInstanceOf(Function);
    expect(slots.tryTake('a')).toBeUndefined();
  });

  it('forgets a session once it holds no slot, so ended sessions do not accumulate', () => {
    const slots = new SocketSlots(5);
    const releases = ['a', 'a', 'b'].map((id) => slots.tryTake(id)!);
    expect(slots.sessions).toBe(2);
    for (const release of releases) release();
    expect(slots.sessions).toBe(0);
  });
});
