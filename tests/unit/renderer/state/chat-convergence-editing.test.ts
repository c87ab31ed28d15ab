import { checkSchedules } from './convergence';

// Editing sent messages of a chat with a history while answers stream (5,000 schedules).
checkSchedules('editing');
