import { describe, expect, it } from 'vitest';
import { UploadActivity } from './upload-activity.ts';

describe('UploadActivity', () => {
  it('skips the touch before a write only for an upload seen active in the last seconds', () => {
    const activity = new UploadActivity();
    activity.saw('recent', new Date(), 10);
    activity.saw('idle', new Date(Date.now() - 60_000), 10);
    expect(activity.take('recent').touchBefore).toBe(false);
    expect(activity.take('idle').touchBefore).toBe(true);
    expect(activity.take('unseen').touchBefore).toBe(true);
  });

  it('forgets what it saw once taken, so a later write touches as before', () => {
    const activity = new UploadActivity();
    activity.saw('a', new Date(), 10);
    activity.take('a');
    expect(activity.take('a')).toMatchObject({ touchBefore: true });
    expect(activity.take('a').completes(10)).toBe(false);
  });

  it('needs no touch for a finished upload, which has no expiry', () => {
    const activity = new UploadActivity();
    activity.saw('finished', undefined, 10);
    expect(activity.take('finished').touchBefore).toBe(false);
  });

  it('tells a write that completes the upload only when the size is known', () => {
    const activity = new UploadActivity();
    activity.saw('sized', new Date(), 10);
    activity.saw('deferred', new Date(), undefined);
    const sized = activity.take('sized');
    expect(sized.completes(10)).toBe(true);
    expect(sized.completes(4)).toBe(false);
    expect(activity.take('deferred').completes(10)).toBe(false);
  });
});
