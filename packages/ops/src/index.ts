export {
  notifySlack,
  SLACK_FAILURE,
  type SlackMessage,
  type NotifySlackOptions,
  type NotifySlackResult,
  type SlackFailureCode,
} from './notify/slack.js';
