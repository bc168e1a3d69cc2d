import { describe, expect, it } from 'vitest';
import { ProgressModel } from './progress-model.ts';

describe('ProgressModel', () => {
  it('counts bytes in flight and finished, and works out the rate and ETA over the last seconds', () => {
    let now = 0;
    const model = new ProgressModel(() => now);
    model.setPhase('uploading', { files: 2, bytes: 3000 });
    model.start('a', 'a.jpg', 1000);
    model.start('b', 'b.jpg', 2000);
    now = 1000;
    model.advance('a', 1000);
    model.advance('b', 500);
    expect(model.bytesDone).toBe(1500);
    expect(model.rate()).toBe(1500);
    expect(model.eta()).toBe(1);
    model.item({ type: 'file', path: 'a.jpg', status: 'uploaded', bytes: 1000 }, 1000, 'a');
    expect(model.active.has('a')).toBe(false);
    expect(model.bytesDone).toBe(1500);
    expect(model.filesDone).toBe(1);
    expect(model.bytesTransferred).toBe(1000);
  });

  it('has no ETA before anything moved', () => {
    const model = new ProgressModel(() => 0);
    model.setPhase('downloading');
    expect(model.rate()).toBe(0);
    expect(model.eta()).toBeNull();
  });
});
