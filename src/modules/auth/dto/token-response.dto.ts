import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STAFF_ROLES, type Role, type StaffRole } from '../../../common/auth/role.js';

export class TokenResponseDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ example: 'bearer' }) token_type: 'bearer';
  @ApiProperty({ enum: ['merchant', 'user', 'admin'] }) user_type: Role;
  @ApiProperty() user_id: number;
  @ApiProperty({ description: 'Seconds until the access token expires.', example: 1800 }) expires_in: number;
  @ApiProperty({ description: 'Single use: each refresh returns a new one.' }) refresh_token: string;
  @ApiPropertyOptional({
    description: "A staff member's sign-in only: their staff id (`user_id` is then the shop's merchant id).",
  })
  staff_id?: number;
  @ApiPropertyOptional({ enum: STAFF_ROLES, description: "A staff member's sign-in only: their role." })
  staff_role?: StaffRole;
}
