import { checkSchedules } from './convergence';

// Moving around while answers stream: new chats, switching, deleting, restarts (5,000 schedules).
checkSchedules('switching');
