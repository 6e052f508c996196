import QRCode from 'qrcode';
import sharp from 'sharp';
import { renderQrPng } from '../../src/engine/qr-png.js';

describe('renderQrPng', () => {
  const code = 'https://wa.me/settings/linked_devices#2@abc,noise,identity,adv,1';

  it('writes a PNG data URL whose pixels are the QR modules (4 px each, 4-module margin)', async () => {
    const url = renderQrPng(code);
    expect(url).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const { modules } = QRCode.create(code, { errorCorrectionLevel: 'M' });
    expect(info.width).toBe((modules.size + 8) * 4);
    expect(info.height).toBe(info.width);
    for (let my = -4; my < modules.size + 4; my++) {
      for (let mx = -4; mx < modules.size + 4; mx++) {
        const dark = my >= 0 && mx >= 0 && my < modules.size && mx < modules.size && Boolean(modules.get(my, mx));
        const pixel = data[((my + 4) * 4 + 2) * info.width + (mx + 4) * 4 + 2];
        expect(pixel).toBe(dark ? 0 : 255);
      }
    }
  });

});
