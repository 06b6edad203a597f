import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns any error into "Internal server error"; the consumer needs the original to
 * decide (and record) why a message is retried or dead-lettered.
 */
@Catch()
export class KeepOriginalErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
