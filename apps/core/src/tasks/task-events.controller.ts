import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { TaskView } from '@ferry/contracts';
import type { Request, Response } from 'express';
import { AuthUser, CurrentUser, TokenInQuery } from '../auth/auth.decorators';
import { TaskRepository } from '../persistence/repositories';
import { TaskStreamHub } from './task-stream.hub';
import { toTaskView } from './task-view.mapper';

const HEARTBEAT_MS = 15_000;

/**
 * GET /api/tasks/events: server-sent events, `event: task` with a TaskView as data, for the caller's
 * tasks. On connect it sends the tasks still going (or, with Last-Event-ID, every task changed since
 * that event: ids are update times in ms), then every change as it happens, and a comment line every
 * 15 s so proxies keep the connection open. Only this process's changes are streamed; see
 * docs/architecture.md on replicas.
 */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/tasks')
export class TaskEventsController {
  constructor(
    private readonly hub: TaskStreamHub,
    private readonly tasks: TaskRepository,
  ) {}

  @Get('events')
  @TokenInQuery()
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-sent events of the caller’s task changes (token also accepted as ?access_token=)' })
  async stream(@CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // HEAD (express routes it here too) has no body: Node would hold the headers back until end(),
    // so a HEAD request waited forever and kept its subscription
    if (req.method === 'HEAD') return void res.end();
    res.write('retry: 3000\n\n');
    const send = (v: TaskView) => res.write(`id: ${Date.parse(v.updatedAt)}\nevent: task\ndata: ${JSON.stringify(v)}\n\n`);
    // subscribe before reading the snapshot so no change falls in between (a duplicate is harmless)
    const sub = this.hub.forOwner(user.id).subscribe({ next: send, complete: () => res.end() });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const stop = () => {
      sub.unsubscribe();
      clearInterval(heartbeat);
    };
    req.on('close', stop);
    res.on('close', stop);
    const lastId = Number(req.headers['last-event-id']);
    const since = Number.isFinite(lastId) && lastId > 0 ? new Date(lastId) : null;
    for (const t of await this.tasks.listForStream(user.id, since)) send(toTaskView(t));
  }
}
