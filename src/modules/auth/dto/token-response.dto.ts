import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '../../../common/auth/role.js';

export class TokenResponseDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ example: 'bearer' }) token_type: 'bearer';
  @ApiProperty({ enum: ['merchant', 'user', 'admin'] }) user_type: Role;
  @ApiProperty() user_id: number;
  @ApiProperty({ description: 'Seconds until the access token expires.', example: 1800 }) expires_in: number;
  @ApiProperty({ description: 'Single use: each refresh returns a new one.' }) refresh_token: string;
}
