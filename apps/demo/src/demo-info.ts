/** .ferry/demo.json: how people and scripts reach the running demo. */
export interface DemoInfo {
  coreUrl: string;
  webUrl: string;
  users: { alice: { token: string }; bob: { token: string } };
  drives: Record<'a-data' | 'b-inbox', { provider: string; gatewayUrl: string; path: string }>;
  gateways: Record<'provider-a' | 'provider-b', { url: string; config: string }>;
  /** stream tunnels: `ferry tunnel create <initiator> <listener> --target 127.0.0.1:PORT` */
  tunnels: { initiator: string; listener: string; portRange: string; targets: string[] };
  startedAt: string;
}
