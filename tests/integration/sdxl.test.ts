import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels, SDXL_FIXTURES } from '../helpers/diffusion.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

const [BASE, REFINER] = SDXL_FIXTURES;

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'sdxl');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

type Inputs = Record<string, unknown>;

/** Checkpoint → (positive, negative) → KSampler → VAEDecode → SaveImage, with the two encoders given. */
function graph(ckpt: string, positive: { class_type: string; inputs: Inputs }, negative: typeof positive): ApiPrompt {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    '6': { class_type: positive.class_type, inputs: { ...positive.inputs, clip: ['4', 1] } },
    '7': { class_type: negative.class_type, inputs: { ...negative.inputs, clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 7,
        steps: 4,
        cfg: 5,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'sdxl', images: ['8', 0] } },
  };
}

const sdxlText = (inputs: Inputs = {}) => ({
  class_type: 'CLIPTextEncodeSDXL',
  inputs: {
    width: 1024,
    height: 1024,
    crop_w: 0,
    crop_h: 0,
    target_width: 1024,
    target_height: 1024,
    text_g: 'a red cat',
    text_l: 'a cat',
    ...inputs,
  },
});
const refinerText = (inputs: Inputs = {}) => ({
  class_type: 'CLIPTextEncodeSDXLRefiner',
  inputs: { ascore: 6, width: 1024, height: 1024, text: 'a red cat', ...inputs },
});
const plainText = (text: string) => ({ class_type: 'CLIPTextEncode', inputs: { text } });

async function image(prompt: ApiPrompt): Promise<Buffer> {
  const entry = await runToHistory(server, socket, prompt);
  const [raster] = savedImages(server, entry, '9');
  expect(raster?.width).toBe(64);
  expect(raster?.height).toBe(64);
  return Buffer.from(raster!.data);
}

describe('SDXL base through the server', () => {
  it('CLIPTextEncodeSDXL → KSampler runs, the same graph gives the same image, and each size input changes it', async () => {
    const base = await image(graph(BASE, sdxlText(), sdxlText({ text_g: 'blurry', text_l: 'blurry' })));
    const again = await image(graph(BASE, sdxlText(), sdxlText({ text_g: 'blurry', text_l: 'blurry' })));
    expect(again.equals(base)).toBe(true);
    for (const change of [{ width: 512 }, { height: 768 }, { crop_w: 64 }, { crop_h: 32 }, { target_width: 2048 }]) {
      const changed = await image(graph(BASE, sdxlText(change), sdxlText({ text_g: 'blurry', text_l: 'blurry' })));
      expect(changed.equals(base), JSON.stringify(change)).toBe(false);
    }
    // text_l reaches clip_l and text_g clip_g.
    const otherL = await image(
      graph(BASE, sdxlText({ text_l: 'a red cat' }), sdxlText({ text_g: 'blurry', text_l: 'blurry' })),
    );
    expect(otherL.equals(base)).toBe(false);
  });

  it('plain CLIPTextEncode on an SDXL CLIP gives SDXL conditioning (sizes default to the latent)', async () => {
    const plain = await image(graph(BASE, plainText('a red cat'), plainText('blurry')));
    // CLIPTextEncodeSDXL with text_g = text_l and the latent's own 64×64 size is the same conditioning.
    const explicit = await image(
      graph(
        BASE,
        sdxlText({ width: 64, height: 64, target_width: 64, target_height: 64, text_l: 'a red cat' }),
        sdxlText({ width: 64, height: 64, target_width: 64, target_height: 64, text_g: 'blurry', text_l: 'blurry' }),
      ),
    );
    expect(explicit.equals(plain)).toBe(true);
  });

  it('CLIPTextEncodeSDXL with an SD 1.x CLIP fails naming the node and its clip input', async () => {
    const prompt = graph('tiny-sd-fp32', sdxlText(), plainText('blurry'));
    const response = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
    expect(response.status).toBe(200);
    const messages: WsMessage[] = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find((m) => m.type === 'execution_error');
    expect(error?.type === 'execution_error' && error.data.node_type).toBe('CLIPTextEncodeSDXL');
    expect(error?.type === 'execution_error' && error.data.exception_message).toMatch(
      /CLIPTextEncodeSDXL: clip: tiny-sd-fp32 has one text encoder/,
    );
  });
});

describe('SDXL refiner through the server', () => {
  it('CLIPTextEncodeSDXLRefiner → KSampler runs; ascore and the size change the image', async () => {
    const negative = refinerText({ ascore: 2.5, text: 'blurry' });
    const base = await image(graph(REFINER, refinerText(), negative));
    expect((await image(graph(REFINER, refinerText(), negative))).equals(base)).toBe(true);
    for (const change of [{ ascore: 2 }, { width: 512 }, { height: 640 }]) {
      const changed = await image(graph(REFINER, refinerText(change), negative));
      expect(changed.equals(base), JSON.stringify(change)).toBe(false);
    }
    // Plain CLIPTextEncode leaves the score to its defaults: 6 for the positive, 2.5 for the negative.
    const defaults = await image(
      graph(
        REFINER,
        refinerText({ width: 64, height: 64 }),
        refinerText({ width: 64, height: 64, ascore: 2.5, text: 'blurry' }),
      ),
    );
    expect((await image(graph(REFINER, plainText('a red cat'), plainText('blurry')))).equals(defaults)).toBe(true);
  });
});

describe('object_info for the SDXL text nodes', () => {
  it("lists ComfyUI's inputs in ComfyUI's order with its defaults", async () => {
    const info = (await getJson(`${server.url}/object_info`)).json as Record<
      string,
      { input: { required: Record<string, [unknown, Record<string, unknown>?]> }; category: string }
    >;
    const sdxl = info.CLIPTextEncodeSDXL!;
    expect(Object.keys(sdxl.input.required)).toEqual([
      'clip',
      'width',
      'height',
      'crop_w',
      'crop_h',
      'target_width',
      'target_height',
      'text_g',
      'text_l',
    ]);
    expect(sdxl.input.required.width![1]).toMatchObject({ default: 1024, min: 0, max: 16384 });
    expect(sdxl.input.required.crop_h![1]).toMatchObject({ default: 0, min: 0, max: 16384 });
    expect(sdxl.input.required.text_g![1]).toMatchObject({ multiline: true, dynamicPrompts: true });
    expect(sdxl.category).toBe('advanced/conditioning');
    const refiner = info.CLIPTextEncodeSDXLRefiner!;
    expect(Object.keys(refiner.input.required)).toEqual(['ascore', 'width', 'height', 'text', 'clip']);
    expect(refiner.input.required.ascore![1]).toMatchObject({ default: 6, min: 0, max: 1000, step: 0.01 });
    expect(refiner.input.required.height![1]).toMatchObject({ default: 1024, min: 0, max: 16384 });
  });
});
