import { Controller, Get, Header, Headers, HttpCode, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/decorators.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { V1 } from '../../common/v1/v1.js';
import { HealthService, V1HealthDto } from './health.service.js';

@ApiTags('health')
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Health summary (seed-compatible)' })
  @ApiOkResponse({ description: 'The service is running' })
  summary() {
    return this.health.summary();
  }

  @Get('favicon.ico')
  @HttpCode(204)
  @ApiExcludeEndpoint()
  favicon(): void {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'Alive' })
  live() {
    return this.health.live();
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: the database answers' })
  @ApiOkResponse({ description: 'Ready' })
  @ApiProblems(503)
  ready() {
    return this.health.ready();
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiExcludeEndpoint()
  render(@Headers('authorization') authorization: string | undefined): Promise<string> {
    return this.health.renderMetrics(authorization);
  }
}

/** `GET /api/v1/health`, as the original served it. */
@ApiTags('v1 health (original API)')
@Public()
@Controller({ path: 'health', version: V1 })
export class HealthV1Controller {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: "The original API's health answer" })
  @ApiOkResponse({ type: V1HealthDto })
  apiHealth(): V1HealthDto {
    return this.health.v1Health('GraminStore API is running');
  }
}
