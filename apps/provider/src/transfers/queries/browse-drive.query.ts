import type { BrowseRequest } from '@ferry/contracts';

export class BrowseDriveQuery {
  constructor(readonly request: BrowseRequest) {}
}
