/**
 * A platform on a free port with the official OpenSearch client on its search API, started
 * before and closed after the tests of the enclosing `describe` block.
 */
import { after, before } from "node:test";
import { Client } from "@opensearch-project/opensearch";
import { startTestPlatform } from "./platform.ts";

export interface SearchClientFixture {
  client: Client;
  /** The search API's base URL. */
  url: string;
}

export function searchClientFixture(): SearchClientFixture {
  const fx = {} as SearchClientFixture;
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    const running = await startTestPlatform();
    close = () => running.close();
    fx.url = running.searchUrl;
    fx.client = new Client({ node: fx.url });
  });
  after(async () => {
    await fx.client?.close();
    await close?.();
  });
  return fx;
}
